using CodeAssist.Server.Configuration;
using CodeAssist.Server.Documents;
using CodeAssist.Server.Models;
using CodeAssist.Server.Protocol;
using CodeAssist.Server.Python;
using Microsoft.Extensions.Logging;

namespace CodeAssist.Server.CodeActions;

/// <summary>One code action offered at a line.</summary>
/// <param name="Title">What the editor shows.</param>
/// <param name="Kind">The LSP code action kind.</param>
/// <param name="Action">One of <see cref="CodeAssistActionKinds"/>.</param>
/// <param name="Line">The line the action is about: the def/class line, or the TODO comment.</param>
public sealed record CodeActionOffer(string Title, string Kind, string Action, int Line);

/// <summary>The actions offered for one version of a document.</summary>
public sealed record CodeActionOffers(int Version, IReadOnlyList<CodeActionOffer> Actions)
{
    /// <summary>No actions.</summary>
    public static CodeActionOffers None { get; } = new(0, []);
}

/// <summary>The edit a resolved code action makes: replace <see cref="Start"/>..<see cref="End"/> of <see cref="Document"/> by <see cref="NewText"/>.</summary>
public sealed record CodeActionEdit(DocumentSnapshot Document, int Start, int End, string NewText, string Model, string Tier);

/// <summary>
/// Python code actions that a model writes: "Implement function with &lt;model&gt;" on a function whose body is a stub,
/// "Write docstring" on a def or class without one, "Complete TODO" on a <c># TODO</c> comment line. Offering them
/// reads the document only; the text is generated when one is resolved, for the version it was offered for.
/// </summary>
public sealed class CodeActionService(
    DocumentStore documents,
    CodeActionGenerator generator,
    ModelInventory inventory,
    ModelManager models,
    SettingsStore settings,
    ILogger<CodeActionService> logger)
{
    // Editors ask for code actions on every cursor move: the outline of the last snapshot asked about is kept
    // (a document keeps one snapshot object per version).
    private AnalyzedSnapshot? _lastOutline;

    /// <summary>The kinds of the actions offered (advertised in codeActionKinds).</summary>
    public static readonly IReadOnlyList<string> Kinds = [CodeActionKind.RefactorRewrite];

    /// <summary>The title of "Write docstring".</summary>
    public const string WriteDocstringTitle = "Write docstring";

    /// <summary>The title of "Complete TODO".</summary>
    public const string CompleteTodoTitle = "Complete TODO";

    /// <summary>The title of "Implement function with …".</summary>
    public static string ImplementFunctionTitle(string modelLabel) => $"Implement function with {modelLabel}";

    /// <summary>The actions for the cursor (or selection start) on <paramref name="line"/>, of the kinds in <paramref name="only"/> (all when null).</summary>
    public CodeActionOffers Offer(string uri, int line, IReadOnlyList<string>? only)
    {
        if (!documents.TryGet(uri, out var snapshot) || !IsPython(snapshot) || !Kinds.Any(kind => Wanted(kind, only)))
        {
            return CodeActionOffers.None;
        }

        var outline = OutlineOf(snapshot);
        var actions = new List<CodeActionOffer>();
        var definition = outline.DefinitionAt(line);
        if (definition is { Keyword: "def", Stub: not null })
        {
            actions.Add(new CodeActionOffer(ImplementFunctionTitle(ModelLabel()), CodeActionKind.RefactorRewrite, CodeAssistActionKinds.ImplementFunction, definition.Header.First));
        }

        if (outline.TodoAt(line) is { } todo)
        {
            actions.Add(new CodeActionOffer(CompleteTodoTitle, CodeActionKind.RefactorRewrite, CodeAssistActionKinds.CompleteTodo, todo.Line));
        }

        if (definition is { IsOneLine: false, Docstring: null })
        {
            actions.Add(new CodeActionOffer(WriteDocstringTitle, CodeActionKind.RefactorRewrite, CodeAssistActionKinds.WriteDocstring, definition.Header.First));
        }

        return new CodeActionOffers(snapshot.Version, actions);
    }

    /// <summary>
    /// Computes the edit of an offered action. <see cref="CodeActionFailedException"/> when the document changed since
    /// (or is closed), when what the action was about is gone, or when no model wrote anything usable.
    /// </summary>
    public async Task<CodeActionEdit> ResolveAsync(CodeActionData data, CancellationToken cancellationToken)
    {
        if (!documents.TryGet(data.Uri, out var snapshot))
        {
            throw new CodeActionFailedException($"{data.Uri} is not open");
        }

        if (snapshot.Version != data.Version)
        {
            throw new CodeActionFailedException(
                $"the document changed since the action was offered (version {data.Version}, now {snapshot.Version}); ask for code actions again");
        }

        var text = snapshot.Text;
        var outline = OutlineOf(snapshot);
        var breaks = new LineBreaks(text, snapshot.Lines);
        var line = data.Position.Line;
        var plan = data.Action switch
        {
            CodeAssistActionKinds.ImplementFunction => outline.DefinitionStartingAt(line) is { Keyword: "def", Stub: not null } function
                ? CodeActionPlan.ImplementFunction(function, breaks)
                : throw new CodeActionFailedException($"line {line + 1} is no longer the header of a function stub"),
            CodeAssistActionKinds.WriteDocstring => outline.DefinitionStartingAt(line) is { IsOneLine: false, Docstring: null } definition
                ? CodeActionPlan.WriteDocstring(definition, breaks)
                : throw new CodeActionFailedException($"line {line + 1} is no longer the header of a def or class without a docstring"),
            CodeAssistActionKinds.CompleteTodo => outline.TodoAt(line) is { } todo
                ? CodeActionPlan.CompleteTodo(todo, breaks, settings.Current.MaxLines)
                : throw new CodeActionFailedException($"line {line + 1} is no longer a TODO comment"),
            _ => throw new CodeActionFailedException($"unknown code action '{data.Action}'"),
        };

        var generated = await generator.GenerateAsync(data.Uri, text, plan, outline.IndentStyle, cancellationToken).ConfigureAwait(false);
        var newText = plan.Lead + generated.Text + plan.Trail;
        if (data.Action == CodeAssistActionKinds.ImplementFunction)
        {
            // A body that is only a docstring or a comment would leave the function a stub: no edit rather than a useless one.
            var after = string.Concat(text.AsSpan(0, plan.ReplaceStart), newText, text.AsSpan(plan.ReplaceEnd));
            if (PythonOutline.Analyze(after).DefinitionStartingAt(line) is not { Stub: null })
            {
                logger.LogInformation("Code action {Action} in {Uri}: {Model} wrote no statement for the body", data.Action, data.Uri, generated.Model);
                throw new CodeActionFailedException($"{generated.Model} wrote nothing usable for the body (no statement)");
            }
        }

        logger.LogInformation("Code action {Action} in {Uri} written by {Model} ({Tier})", data.Action, data.Uri, generated.Model, generated.Tier);
        return new CodeActionEdit(snapshot, plan.ReplaceStart, plan.ReplaceEnd, newText, generated.Model, generated.Tier);
    }

    private PythonOutline OutlineOf(DocumentSnapshot snapshot)
    {
        if (Volatile.Read(ref _lastOutline) is { } last && ReferenceEquals(last.Snapshot, snapshot))
        {
            return last.Outline;
        }

        var outline = PythonOutline.Analyze(snapshot.Text);
        Volatile.Write(ref _lastOutline, new AnalyzedSnapshot(snapshot, outline));
        return outline;
    }

    /// <summary>The label of the model that writes the actions: the fallback's when one is configured, else the local model's.</summary>
    private string ModelLabel()
    {
        var options = settings.Current;
        if (options.Fallback.Kind != FallbackKind.None && inventory.FallbackLabel(options.Fallback) is { } fallback)
        {
            return fallback;
        }

        var path = models.Current?.Description.Path ?? models.WantedPath;
        return path is null ? "the local model" : inventory.Label(path);
    }

    private static bool IsPython(DocumentSnapshot snapshot) =>
        snapshot.LanguageId == "python"
        || snapshot.Uri.EndsWith(".py", StringComparison.OrdinalIgnoreCase)
        || snapshot.Uri.EndsWith(".pyi", StringComparison.OrdinalIgnoreCase);

    // LSP kinds are hierarchical: asking for "refactor" includes "refactor.rewrite".
    private static bool Wanted(string kind, IReadOnlyList<string>? only) =>
        only is null || only.Any(wanted => wanted.Length == 0 || kind == wanted || kind.StartsWith(wanted + ".", StringComparison.Ordinal));
}

/// <summary>A snapshot and its outline.</summary>
internal sealed record AnalyzedSnapshot(DocumentSnapshot Snapshot, PythonOutline Outline);

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
/// <param name="Alternative">For an alternative of an earlier resolve: its rank (1 = the candidate written first).</param>
public sealed record CodeActionOffer(string Title, string Kind, string Action, int Line, int? Alternative = null);

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

    // What the last resolve of each document wrote, with the other candidates that passed: offered as alternatives.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, WrittenAction> _written = new(StringComparer.Ordinal);

    /// <summary>Documents whose written actions are remembered (the oldest are forgotten beyond it).</summary>
    private const int RememberedDocuments = 32;

    /// <summary>The kinds of the actions offered (advertised in codeActionKinds).</summary>
    public static readonly IReadOnlyList<string> Kinds = [CodeActionKind.RefactorRewrite];

    /// <summary>The title of "Write docstring".</summary>
    public const string WriteDocstringTitle = "Write docstring";

    /// <summary>The title of "Complete TODO".</summary>
    public const string CompleteTodoTitle = "Complete TODO";

    /// <summary>The title of "Implement function with …".</summary>
    public static string ImplementFunctionTitle(string modelLabel) => $"Implement function with {modelLabel}";

    /// <summary>The title of another candidate of an action: "Implement function (alternative 2)".</summary>
    public static string AlternativeTitle(string action, int rank) => action switch
    {
        CodeAssistActionKinds.ImplementFunction => $"Implement function (alternative {rank})",
        CodeAssistActionKinds.WriteDocstring => $"{WriteDocstringTitle} (alternative {rank})",
        _ => $"{CompleteTodoTitle} (alternative {rank})",
    };

    /// <summary>The actions for the cursor (or selection start) on <paramref name="line"/>, of the kinds in <paramref name="only"/> (all when null).</summary>
    public CodeActionOffers Offer(string uri, int line, IReadOnlyList<string>? only)
    {
        if (!documents.TryGet(uri, out var snapshot, out var outOfSync))
        {
            outOfSync?.LogRefusal(logger, "code action");
            return CodeActionOffers.None;
        }

        if (!IsPython(snapshot) || !Kinds.Any(kind => Wanted(kind, only)))
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

        if (_written.TryGetValue(uri, out var written) && written.Shown(snapshot.Text) is { } shown)
        {
            var last = snapshot.Lines.GetLineOfOffset(written.Start + written.Written(shown).Length);
            if (line >= written.Line && line <= last)
            {
                for (var rank = 1; rank <= written.Texts.Count; rank++)
                {
                    if (rank - 1 != shown)
                    {
                        actions.Add(new CodeActionOffer(AlternativeTitle(written.Action, rank), CodeActionKind.RefactorRewrite, written.Action, written.Line, rank));
                    }
                }
            }
        }

        return new CodeActionOffers(snapshot.Version, actions);
    }

    /// <summary>
    /// Computes the edit of an offered action. <see cref="CodeActionFailedException"/> when the document changed since
    /// (or is closed), when what the action was about is gone, or when no model wrote anything usable.
    /// </summary>
    public async Task<CodeActionEdit> ResolveAsync(CodeActionData data, CancellationToken cancellationToken)
    {
        if (!documents.TryGet(data.Uri, out var snapshot, out var outOfSync))
        {
            throw new CodeActionFailedException(outOfSync is null
                ? $"{data.Uri} is not open"
                : $"{data.Uri} is out of sync with the editor ({outOfSync.Reason}); reopen it");
        }

        if (snapshot.Version != data.Version)
        {
            throw new CodeActionFailedException(
                $"the document changed since the action was offered (version {data.Version}, now {snapshot.Version}); ask for code actions again");
        }

        var text = snapshot.Text;
        if (data.Alternative is { } rank)
        {
            return Alternative(data, snapshot, rank);
        }

        var outline = OutlineOf(snapshot);
        var breaks = new LineBreaks(text, snapshot.Lines);
        var line = data.Position.Line;
        var plan = data.Action switch
        {
            CodeAssistActionKinds.ImplementFunction => outline.DefinitionStartingAt(line) is { Keyword: "def", Stub: not null } function
                ? CodeActionPlan.ImplementFunction(function, breaks) with { Shape = CodeActionPlan.ShapeOf(function, text, snapshot.Lines) }
                : throw new CodeActionFailedException($"line {line + 1} is no longer the header of a function stub"),
            CodeAssistActionKinds.WriteDocstring => outline.DefinitionStartingAt(line) is { IsOneLine: false, Docstring: null } definition
                ? CodeActionPlan.WriteDocstring(definition, breaks) with { Shape = CodeActionPlan.ShapeOf(definition, text, snapshot.Lines) }
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

        logger.LogInformation(
            "Code action {Action} in {Uri} written by {Model} ({Tier}); {Alternatives} alternatives", data.Action, data.Uri, generated.Model, generated.Tier, generated.Alternatives.Count);
        Remember(data, text, plan, newText, generated);
        return new CodeActionEdit(snapshot, plan.ReplaceStart, plan.ReplaceEnd, newText, generated.Model, generated.Tier);
    }

    /// <summary>
    /// Evaluation's entry: "Implement function" on the <c>def</c> at <paramref name="defLine"/> of <paramref name="text"/>,
    /// through the same stages as an editor's offer and resolve (the text is opened as a document of its own, then
    /// closed). The file after the edit, or why there is none.
    /// </summary>
    public async Task<(string? After, CodeActionEdit? Edit, string? Failure)> ImplementForEvaluationAsync(
        string pointId, string text, int defLine, CancellationToken cancellationToken)
    {
        var uri = $"eval://implement-{pointId}.py";
        documents.Open(uri, "python", 1, text);
        try
        {
            var offer = Offer(uri, defLine, null).Actions.FirstOrDefault(action => action.Action == CodeAssistActionKinds.ImplementFunction);
            if (offer is null)
            {
                return (null, null, "not offered: the function is no stub");
            }

            var data = new CodeActionData { Uri = uri, Version = 1, Action = offer.Action, Position = new Position { Line = offer.Line, Character = 0 } };
            var edit = await ResolveAsync(data, cancellationToken).ConfigureAwait(false);
            return (string.Concat(text.AsSpan(0, edit.Start), edit.NewText, text.AsSpan(edit.End)), edit, null);
        }
        catch (CodeActionFailedException ex)
        {
            return (null, null, ex.Message);
        }
        finally
        {
            documents.Close(uri);
            _written.TryRemove(uri, out _);
        }
    }

    private void Remember(CodeActionData data, string text, CodeActionPlan plan, string newText, GeneratedText generated)
    {
        if (generated.Alternatives.Count == 0)
        {
            _written.TryRemove(data.Uri, out _);
            return;
        }

        if (_written.Count >= RememberedDocuments)
        {
            _written.Clear();
        }

        _written[data.Uri] = new WrittenAction(
            data.Action, data.Position.Line, text, plan.ReplaceStart, plan.ReplaceEnd,
            [newText, .. generated.Alternatives.Select(alternative => plan.Lead + alternative + plan.Trail)], generated.Model, generated.Tier);
    }

    // "(alternative k)": the k-th candidate of the last resolve, in place of the one the document shows now.
    private CodeActionEdit Alternative(CodeActionData data, DocumentSnapshot snapshot, int rank)
    {
        if (!_written.TryGetValue(data.Uri, out var written) || written.Action != data.Action || rank < 1 || rank > written.Texts.Count)
        {
            throw new CodeActionFailedException("the alternatives are gone; ask for code actions again");
        }

        if (written.Shown(snapshot.Text) is not { } shown)
        {
            throw new CodeActionFailedException("the code changed since it was written; ask for code actions again");
        }

        logger.LogInformation("Code action {Action} in {Uri}: alternative {Rank} of {Count}", data.Action, data.Uri, rank, written.Texts.Count);
        return new CodeActionEdit(snapshot, written.Start, written.Start + written.Written(shown).Length, written.Texts[rank - 1], written.Model, written.Tier);
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

/// <summary>
/// What a resolve wrote (<see cref="Texts"/>[0]) and its alternatives, in the text it was resolved for
/// (<see cref="Original"/>, replacing <see cref="Start"/>..<see cref="End"/>).
/// </summary>
internal sealed record WrittenAction(string Action, int Line, string Original, int Start, int End, IReadOnlyList<string> Texts, string Model, string Tier)
{
    /// <summary>Which text <paramref name="text"/> shows where the action wrote: -1 the original, i one of <see cref="Texts"/>; null when it changed otherwise.</summary>
    public int? Shown(string text)
    {
        var tailLength = Original.Length - End;
        if (!text.AsSpan().StartsWith(Original.AsSpan(0, Start)) || !text.AsSpan().EndsWith(Original.AsSpan(End)))
        {
            return null;
        }

        var middle = text.AsSpan(Start, Math.Max(0, text.Length - tailLength - Start));
        if (text.Length - tailLength < Start)
        {
            return null;
        }

        if (middle.SequenceEqual(Original.AsSpan(Start, End - Start)))
        {
            return -1;
        }

        for (var i = 0; i < Texts.Count; i++)
        {
            if (middle.SequenceEqual(Texts[i]))
            {
                return i;
            }
        }

        return null;
    }

    /// <summary>The text between <see cref="Start"/> and the unchanged tail when <see cref="Shown"/> is <paramref name="shown"/>.</summary>
    public string Written(int shown) => shown < 0 ? Original[Start..End] : Texts[shown];
}

/// <summary>A snapshot and its outline.</summary>
internal sealed record AnalyzedSnapshot(DocumentSnapshot Snapshot, PythonOutline Outline);

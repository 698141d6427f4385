using System.Text.RegularExpressions;
using CodeAssist.Server.Completion;
using CodeAssist.Server.Configuration;
using CodeAssist.Server.Inference;
using CodeAssist.Server.Prompting;
using CodeAssist.Server.Python;
using CodeAssist.Server.Routing;
using Microsoft.Extensions.Logging;

namespace CodeAssist.Server.CodeActions;

/// <summary>A code action could not produce an edit; the message says why, for the user.</summary>
public sealed class CodeActionFailedException(string message) : Exception(message);

/// <summary>The text a code action writes (without its <see cref="CodeActionPlan.Lead"/> and <see cref="CodeActionPlan.Trail"/>) and the model that wrote it.</summary>
public sealed record GeneratedText(string Text, string Model, string Tier);

/// <summary>
/// Writes the text of a code action with a FIM prompt (the document before the generated text as prefix, what follows
/// as suffix). The router chooses the tier (<see cref="ModelRouter.RouteLargerFirstAsync"/>: the fallback first with its
/// own deadline and statistics, the local model when it fails); <see cref="CodeActionAttempt"/> is what runs on each.
/// Code goes through the completion post-processing (block end, indentation in the file's style, repeats); a
/// docstring is cut at its closing quotes and indented like the body.
/// </summary>
public sealed partial class CodeActionGenerator(
    ModelRouter router,
    SettingsStore settings,
    PostProcessor postProcessor,
    ILogger<CodeActionGenerator> logger)
{
    /// <summary>Generates the text for <paramref name="plan"/> in <paramref name="text"/>; <see cref="CodeActionFailedException"/> when no model wrote anything usable.</summary>
    public async Task<GeneratedText> GenerateAsync(string uri, string text, CodeActionPlan plan, IndentStyle style, CancellationToken cancellationToken)
    {
        var options = settings.Current;
        var attempt = new CodeActionAttempt(this, uri, plan.Prefix(text), plan.Suffix(text), plan, style, options);
        var route = new RouteRequest(Invoked: true, StartsBlock: !plan.IsDocstring, options);
        var outcome = await router.RouteLargerFirstAsync(route, attempt, cancellationToken).ConfigureAwait(false);
        foreach (var failure in outcome.Failures)
        {
            logger.LogInformation("Code action {Action} in {Uri}: {Failure}", plan.Action, uri, failure);
        }

        return outcome.Answer is { } answer
            ? new GeneratedText(answer.Answer.Text, answer.Answer.Model.Id, Tiers.Name(answer.Tier))
            : throw new CodeActionFailedException(string.Join("; ", outcome.Failures));
    }

    /// <summary>One tier's try at a code action: prompt → generate → post-process.</summary>
    private sealed class CodeActionAttempt(
        CodeActionGenerator generator, string uri, string prefix, string suffix, CodeActionPlan plan, IndentStyle style, CodeAssistOptions options) : ITierAttempt
    {
        public async Task<TierAnswer> RunAsync(ICompletionModel model, CancellationToken cancellationToken)
        {
            var (text, generation) = await generator.RunAsync(model, uri, prefix, suffix, plan, style, options, cancellationToken).ConfigureAwait(false);
            return new TierAnswer(text, generation, model.Description);
        }
    }

    private async Task<(string Text, ModelCompletion Generation)> RunAsync(
        ICompletionModel model, string uri, string prefix, string suffix, CodeActionPlan plan, IndentStyle style, CodeAssistOptions options, CancellationToken cancellationToken)
    {
        var description = model.Description;
        var wanted = plan.Action switch
        {
            Protocol.CodeAssistActionKinds.WriteDocstring => 96,
            Protocol.CodeAssistActionKinds.ImplementFunction => 256,
            _ => Math.Max(options.MaxTokens, 128),
        };
        var maxTokens = Math.Max(16, Math.Min(wanted, description.ContextLength / 3));
        var block = plan.IsDocstring ? null : BlockContext.Analyze(prefix, suffix, style);
        var context = ContextBuilder.Build(prefix, suffix, description.ContextLength, maxTokens, model.CountTokens);
        Func<string, bool> stop = block is null
            ? generated => ClosingQuotes().IsMatch(generated) || generated.Count(c => c == '\n') >= plan.MaxLines
            : generated => StopConditions.ShouldStop(generated, multiline: true, plan.MaxLines, block.BlockIndent);

        // Never superseded by the document's completions: a keystroke must not cancel the action the user picked.
        var request = new CompletionRequest(context.Prefix, context.Suffix, maxTokens, StopWhen: stop);
        var generation = await model.CompleteAsync(request, cancellationToken).ConfigureAwait(false);
        logger.LogInformation(
            "Code action {Action} in {Uri}: {Model} generated {Tokens} tokens ({Stop}) in {ElapsedMs} ms",
            plan.Action, uri, description.Id, generation.GeneratedTokens, StopReasons.Name(generation.StopReason), (long)generation.Elapsed.TotalMilliseconds);
        if (block is null)
        {
            return (Docstring(generation.Text, plan), generation);
        }

        var processing = new PostProcessorOptions
        {
            Multiline = true,
            MaxLines = plan.MaxLines,
            IndentStyle = style,
            Context = block,
            Truncated = generation.StopReason == StopReason.Length,
        };
        var (body, _) = RepetitionCheck.Apply(postProcessor.Process(generation.Text, prefix, suffix, processing), suffix, block, multiline: true, truncated: false);
        var code = CompleteStatements(body, block.PrefixEndState);
        return (IsOnlyPlaceholder(code) ? string.Empty : code, generation);
    }

    /// <summary>
    /// Drops the last lines of <paramref name="code"/> until it does not end inside a string, brackets or a backslash
    /// continuation (a generation cut short by its budget): the edit must leave the file parseable where it was.
    /// </summary>
    internal static string CompleteStatements(string code, PythonLexState start)
    {
        var lines = code.Split('\n').ToList();
        while (lines.Count > 0)
        {
            var lexed = PythonLexer.Lex(string.Join('\n', lines), start);
            if (!lexed.EndsInString && lexed.BracketDepth == 0 && !lexed.EndState.IsLineContinued)
            {
                break;
            }

            lines.RemoveAt(lines.Count - 1);
        }

        return string.Join('\n', lines).TrimEnd();
    }

    /// <summary>The docstring's content: up to the closing quotes, trimmed, continuation lines indented like the body.</summary>
    internal static string Docstring(string generated, CodeActionPlan plan)
    {
        var end = ClosingQuotes().Match(generated);
        var content = end.Success ? generated[..end.Index] : generated;
        var lines = content.Split('\n').Select(line => line.Trim()).ToList();
        while (lines.Count > 0 && lines[0].Length == 0)
        {
            lines.RemoveAt(0);
        }

        while (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        if (lines.Count > plan.MaxLines)
        {
            lines.RemoveRange(plan.MaxLines, lines.Count - plan.MaxLines);
        }

        // A backslash at the end would escape the closing quotes.
        if (lines.Count == 0 || lines.All(line => line.Trim('\\', '"', '\'', ' ').Length == 0))
        {
            return string.Empty;
        }

        lines[^1] = lines[^1].TrimEnd('\\', '"');
        if (lines.Count == 1)
        {
            return lines[0];
        }

        var newline = plan.Lead.StartsWith("\r\n", StringComparison.Ordinal) ? "\r\n" : plan.Lead[..1];
        return lines[0] + newline
            + string.Concat(lines.Skip(1).Select(line => (line.Length == 0 ? string.Empty : plan.BodyIndent + line) + newline))
            + plan.BodyIndent;
    }

    /// <summary>True when <paramref name="code"/> has no statement but placeholders (pass, ..., raise NotImplementedError) and comments.</summary>
    internal static bool IsOnlyPlaceholder(string code) =>
        code.Split('\n').Select(line => line.Trim()).Where(line => line.Length > 0 && !line.StartsWith('#')).All(line => PlaceholderLine().IsMatch(line));

    [GeneratedRegex("\"\"\"|'''", RegexOptions.CultureInvariant)]
    private static partial Regex ClosingQuotes();

    [GeneratedRegex(@"^(pass|\.\.\.|raise\s+NotImplementedError\b.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex PlaceholderLine();
}

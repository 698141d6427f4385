using System.Text.RegularExpressions;
using CodeAssist.Server.Completion;
using CodeAssist.Server.Configuration;
using CodeAssist.Server.Context;
using CodeAssist.Server.Inference;
using CodeAssist.Server.Prompting;
using CodeAssist.Server.Python;
using CodeAssist.Server.Routing;
using Microsoft.Extensions.Logging;

namespace CodeAssist.Server.CodeActions;

/// <summary>A code action could not produce an edit; the message says why, for the user.</summary>
public sealed class CodeActionFailedException(string message) : Exception(message);

/// <summary>
/// The text a code action writes (without its <see cref="CodeActionPlan.Lead"/> and <see cref="CodeActionPlan.Trail"/>),
/// the model that wrote it, and the other candidates that passed the checks, best first (offered as alternatives).
/// </summary>
public sealed record GeneratedText(string Text, string Model, string Tier)
{
    /// <summary>The runners-up, each different from the text and from one another after normalising white space.</summary>
    public IReadOnlyList<string> Alternatives { get; init; } = [];
}

/// <summary>
/// Writes the text of a code action with a FIM prompt (the document before the generated text as prefix, what follows
/// as suffix). The router chooses the tier (<see cref="ModelRouter.RouteLargerFirstAsync"/>: the fallback first with its
/// own deadline and statistics, the local model when it fails); <see cref="CodeActionAttempt"/> is what runs on each:
/// the greedy candidate and up to <see cref="CodeActionsOptions.Candidates"/> sampled ones within
/// <see cref="CodeActionsOptions.BudgetMs"/>, sharing the prompt's KV cache; a model whose prompt takes snippets
/// (<c>context.promptSnippets</c>) gets the definitions of every name the file imports in front of it
/// (<see cref="WorkspaceContext.PromptSnippetsForNewCodeAsync"/>). Code goes through the completion
/// post-processing (block end, indentation in the file's style, repeats); a docstring is cut at its closing quotes
/// and indented like the body. Every candidate is checked (<see cref="BodyCheck"/>); the best that passes (by the
/// model's mean log-probability) is the answer, the other different ones its alternatives. When none passes, the
/// tier answers nothing and says which checks failed.
/// </summary>
public sealed partial class CodeActionGenerator(
    ModelRouter router,
    SettingsStore settings,
    PostProcessor postProcessor,
    WorkspaceContext workspace,
    InferenceStatistics inference,
    ILogger<CodeActionGenerator> logger)
{
    /// <summary>How long an action waits for its document's imports to be read (once per document version).</summary>
    private static readonly TimeSpan ImportWait = TimeSpan.FromMilliseconds(500);

    /// <summary>Generates the text for <paramref name="plan"/> in <paramref name="text"/>; <see cref="CodeActionFailedException"/> when no model wrote anything usable.</summary>
    public async Task<GeneratedText> GenerateAsync(string uri, string text, CodeActionPlan plan, IndentStyle style, CancellationToken cancellationToken)
    {
        var options = settings.Current;
        // The imported definitions, for a model whose prompt takes them (context.promptSnippets), looked for once.
        var snippets = new Lazy<Task<PromptSnippets?>>(() => workspace.PromptSnippetsForNewCodeAsync(uri, plan.ReplaceStart, options.Context, ImportWait, cancellationToken));
        var attempt = new CodeActionAttempt(this, uri, plan.Prefix(text), plan.Suffix(text), plan, style, options, snippets);
        var route = new RouteRequest(Invoked: true, StartsBlock: !plan.IsDocstring, options);
        var outcome = await router.RouteLargerFirstAsync(route, attempt, cancellationToken).ConfigureAwait(false);
        foreach (var failure in outcome.Failures)
        {
            logger.LogInformation("Code action {Action} in {Uri}: {Failure}", plan.Action, uri, failure);
        }

        if (outcome.Answer is { } answer)
        {
            return new GeneratedText(answer.Answer.Text, answer.Answer.Model.Id, Tiers.Name(answer.Tier)) { Alternatives = answer.Answer.Alternatives };
        }

        var advice = options.Fallback.Kind == FallbackKind.None
            ? "a larger model as the fallback (codeAssist.fallback) writes better code"
            : "a larger fallback model may do better";
        throw new CodeActionFailedException($"{string.Join("; ", outcome.Failures)}; {advice}");
    }

    /// <summary>One tier's try at a code action: prompt → generate → post-process.</summary>
    private sealed class CodeActionAttempt(
        CodeActionGenerator generator, string uri, string prefix, string suffix, CodeActionPlan plan, IndentStyle style, CodeAssistOptions options,
        Lazy<Task<PromptSnippets?>> snippets) : ITierAttempt
    {
        public Task<TierAnswer> RunAsync(ICompletionModel model, CancellationToken cancellationToken) =>
            generator.RunAsync(model, uri, prefix, suffix, plan, style, options, snippets, cancellationToken);
    }

    private async Task<TierAnswer> RunAsync(
        ICompletionModel model, string uri, string prefix, string suffix, CodeActionPlan plan, IndentStyle style, CodeAssistOptions options,
        Lazy<Task<PromptSnippets?>> found, CancellationToken cancellationToken)
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
        var (snippets, snippetTokens) = PromptBuilder.WantsSnippets(options.Context.PromptSnippets, description)
            ? PromptBuilder.FitSnippets(await found.Value.ConfigureAwait(false), options.Context.PromptSnippets, description, model.CountTokens)
            : (null, 0);
        inference.RecordSnippets(snippets?.Items.Count ?? 0);
        var context = ContextBuilder.Build(prefix, suffix, description.ContextLength - snippetTokens, maxTokens, model.CountTokens);
        Func<string, bool> stop = block is null
            ? generated => ClosingQuotes().IsMatch(generated) || generated.Count(c => c == '\n') >= plan.MaxLines
            : generated => StopConditions.ShouldStop(generated, multiline: true, plan.MaxLines, block.BlockIndent);
        var actions = options.CodeActions;
        var sampling = actions.Candidates > 0
            ? new SamplingOptions(actions.Candidates, actions.Temperature, actions.TopP, SampleSeed, TimeSpan.FromMilliseconds(actions.BudgetMs))
            : null;

        // Never superseded by the document's completions: a keystroke must not cancel the action the user picked. No copy
        // mixture (ContextCopy), unlike completions: measured with it on (README, "Code actions"), small v2 wrote a body
        // for 9 of the implement set's 40 functions instead of 34 (passing 1 instead of 2).
        var request = new CompletionRequest(context.Prefix, context.Suffix, maxTokens, StopWhen: stop, Sampling: sampling, Snippets: snippets);
        var generation = await model.CompleteAsync(request, cancellationToken).ConfigureAwait(false);
        var modules = options.Context.Workspace ? workspace.ModulesFor(uri) : null;
        var judged = new List<JudgedCandidate>();
        foreach (var candidate in (IEnumerable<ModelCompletion>)[generation, .. generation.Alternatives])
        {
            var text = Finish(candidate, prefix, suffix, plan, style, block);
            var rejection = text.Length == 0 ? "placeholder: nothing usable" : BodyCheck.Reject(plan, plan.Shape, prefix, text, suffix, modules);
            judged.Add(new JudgedCandidate(candidate, text, rejection));
            logger.LogDebug(
                "Code action candidate {Index} ({MeanLogprob:F2}, {Stop}): {Verdict}: {Text}",
                judged.Count, candidate.MeanLogprob, StopReasons.Name(candidate.StopReason), rejection ?? "passed", candidate.Text);
        }

        var ranked = (actions.Consensus ? RankByConsensus(judged) : CandidateRanking.Rank(judged))
            .DistinctBy(candidate => NormalizeSpace(candidate.Text), StringComparer.Ordinal).ToList();
        var rejectedBy = judged.Where(candidate => candidate.Rejection is not null).Select(candidate => candidate.RejectedBy!).ToList();
        logger.LogInformation(
            "Code action {Action} in {Uri}: {Model} wrote {Candidates} candidates in {ElapsedMs} ms; {Passed} different ones passed the checks{Rejections}",
            plan.Action, uri, description.Id, judged.Count, (long)generation.Elapsed.TotalMilliseconds, ranked.Count,
            rejectedBy.Count == 0 ? string.Empty : $" (rejected: {string.Join(", ", rejectedBy.CountBy(check => check).Select(pair => $"{pair.Key} {pair.Value}"))})");
        if (ranked.Count == 0)
        {
            return new TierAnswer(string.Empty, generation, description)
            {
                Rejection = Summary(judged),
                Candidates = judged.Count,
                RejectedBy = rejectedBy,
            };
        }

        return new TierAnswer(ranked[0].Text, ranked[0].Generation, description)
        {
            Candidates = judged.Count,
            RejectedBy = rejectedBy,
            Alternatives = [.. ranked.Skip(1).Select(candidate => candidate.Text)],
        };
    }

    /// <summary>
    /// The passing candidates, the one most like the others first: each scores its mean edit similarity (white space
    /// normalised) to the other passing candidates, so a text sampled several times, or a family of near-equal ones,
    /// wins over a lone likely one; the model's mean log-probability breaks ties, then the order found.
    /// </summary>
    internal static IReadOnlyList<JudgedCandidate> RankByConsensus(IReadOnlyList<JudgedCandidate> judged)
    {
        var passing = judged.Where(candidate => candidate.Passed).ToList();
        var texts = passing.Select(candidate => NormalizeSpace(candidate.Text)).ToList();
        var consensus = new double[passing.Count];
        for (var i = 0; i < passing.Count; i++)
        {
            for (var j = i + 1; j < passing.Count; j++)
            {
                var similarity = TextSimilarity.EditSimilarity(texts[i], texts[j]);
                consensus[i] += similarity;
                consensus[j] += similarity;
            }
        }

        return [.. Enumerable.Range(0, passing.Count)
            .OrderByDescending(i => consensus[i])
            .ThenByDescending(i => passing[i].Score)
            .ThenBy(i => i)
            .Select(i => passing[i])];
    }

    /// <summary>The seed of a code action's first sample: the same document asks for the same candidates.</summary>
    public const int SampleSeed = 1;

    /// <summary>Why no candidate passed, for the user: how many each check rejected, with the first reason of each.</summary>
    internal static string Summary(IReadOnlyList<JudgedCandidate> judged)
    {
        var byCheck = judged.Where(candidate => candidate.Rejection is not null)
            .GroupBy(candidate => candidate.RejectedBy!)
            .OrderByDescending(group => group.Count())
            .Select(group => $"{group.Key} {group.Count()} (e.g. {group.First().Rejection!.Split(':', 2)[^1].Trim()})");
        return $"none of its {judged.Count} candidates passed the checks: {string.Join(", ", byCheck)}";
    }

    /// <summary>The text a candidate writes: a docstring's content, or code after post-processing (empty when only placeholders are left).</summary>
    private string Finish(ModelCompletion candidate, string prefix, string suffix, CodeActionPlan plan, IndentStyle style, BlockContext? block)
    {
        if (block is null)
        {
            return Docstring(candidate.Text, plan);
        }

        var processing = new PostProcessorOptions
        {
            Multiline = true,
            MaxLines = plan.MaxLines,
            IndentStyle = style,
            Context = block,
            Truncated = candidate.StopReason is StopReason.Length or StopReason.ContextFull,
        };
        var (body, _) = RepetitionCheck.Apply(postProcessor.Process(Rebase(candidate.Text, plan.BodyIndent), prefix, suffix, processing), suffix, block, multiline: true, truncated: false);
        var code = CompleteStatements(body, block.PrefixEndState);
        return IsOnlyPlaceholder(code) ? string.Empty : code;
    }

    /// <summary>
    /// The text of a body the model began deeper than the body's indentation (the edit already writes that much before
    /// it): the extra white space off its first line, and off every later line that has it after the body's own.
    /// </summary>
    internal static string Rebase(string text, string bodyIndent)
    {
        var extra = Indentation.LeadingText(text);
        if (extra.Length == 0 || extra.Length == text.Length)
        {
            return text;
        }

        var deeper = bodyIndent + extra;
        var lines = text.Split('\n');
        lines[0] = lines[0][extra.Length..];
        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i].StartsWith(deeper, StringComparison.Ordinal))
            {
                lines[i] = bodyIndent + lines[i][deeper.Length..];
            }
        }

        return string.Join('\n', lines);
    }

    /// <summary>The text with every run of white space as one space: two candidates that differ only in spacing are one.</summary>
    internal static string NormalizeSpace(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

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

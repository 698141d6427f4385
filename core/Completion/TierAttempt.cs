using CodeAssist.Server.Inference;
using CodeAssist.Server.Prompting;
using CodeAssist.Server.Routing;
using Microsoft.Extensions.Logging;

namespace CodeAssist.Server.Completion;

/// <summary>
/// One tier's turn at an inline completion, as the router runs it for each model it chooses: the prompt within that
/// model's budget (<see cref="PromptBuilder"/>), generation, and the same Python post-processing for every tier.
/// The model proposes several candidates (<see cref="CompletionRequest.Candidates"/>); each is post-processed and
/// checked (<see cref="CandidateCheck"/>), and the best that passed is the answer (<see cref="CandidateRanking"/>).
/// </summary>
internal sealed class TierAttempt(
    CompletionContext context, PromptBuilder prompts, PostProcessor postProcessor, InferenceStatistics inference, ILogger logger) : ITierAttempt
{
    /// <inheritdoc />
    public async Task<TierAnswer> RunAsync(ICompletionModel model, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var description = model.Description;
        var maxTokens = PromptBuilder.MaxTokens(options.MaxTokens, description.ContextLength);
        // The snippets are looked for only when this model takes them (not our own models, by default).
        var (snippets, snippetTokens) = PromptBuilder.WantsSnippets(options.Context.PromptSnippets, description)
            ? PromptBuilder.FitSnippets(context.Snippets?.Value, options.Context.PromptSnippets, description, model.CountTokens)
            : (null, 0);
        inference.RecordSnippets(snippets?.Items.Count ?? 0);
        var prompt = prompts.Fit(
            context.DocumentKey, context.CursorOffset, context.Prefix, context.Suffix, description.Path, description.ContextLength - snippetTokens, maxTokens, model.CountTokens, anchored: context.Run.UseCache);
        (string Raw, StopReason Stop, string Text, string? Rejection, string Kept, bool Mended)? judgedFirst = null;
        var request = new CompletionRequest(
            prompt.Prefix,
            prompt.Suffix,
            maxTokens,
            StopWhen: text => StopConditions.ShouldStop(text, context.Multiline, options.MaxLines, context.Block.BlockIndent, context.Block.PrefixEndState),
            Copy: ContextCopy.For(options.ContextCopy, description),
            CopySources: context.CopySources,
            Snippets: snippets,
            Candidates: options.Candidates,
            // Multi-line and explicit requests also hear the model without the copy model where it overrode the model (block
            // ES +0.004, CI > 0); on single-line keystrokes it cost 25-45 % p95 for no measurable gain (README).
            ForkWhereCopied: context.Multiline || context.Invoked,
            Accept: (text, startLogprob, stop) =>
            {
                if (startLogprob < options.Routing.MinStartLogprob)
                {
                    return false;
                }

                var (processed, rejection, kept, mended) = Judge(text, stop);
                judgedFirst = (text, stop, processed, rejection, kept, mended);
                return (rejection is null && processed.Length > 0) || mended;
            },
            DropBelow: context.Invoked ? null : options.Routing.MinStartLogprob);
        var judged = new List<JudgedCandidate>();
        var derived = new List<JudgedCandidate>();
        var mendedCandidates = new List<JudgedCandidate>();
        var generation = await DecodeAsync(request).ConfigureAwait(false);
        var ranked = CandidateRanking.Rank([.. judged, .. mendedCandidates]);

        // The copy model can carry text in from elsewhere in the file that is wrong here (a parameter of another function:
        // "path) as handle:" after print( in main's loop, copied from "open(path) as handle:"). When the checks refused
        // every candidate, the model decodes once more without it (the prompt is in the KV cache), and its candidates are
        // judged too: the first decode already held the model's own way on from where the copy model first overrode it
        // (ForkWhereCopied); this one adds that way's own alternatives. Explicit requests only: on the keystroke path the second decode doubled the p95 latency of typing
        // (README, "Candidates, checks and abstaining"), and a keystroke decodes at most once.
        if (context.Invoked && ranked.Count == 0 && request.Copy is not null && context.Run.Checks && judged.Exists(c => c.Rejection is not null))
        {
            await DecodeAsync(request with { Copy = null }).ConfigureAwait(false);
            ranked = CandidateRanking.Rank([.. judged, .. mendedCandidates]);
        }

        if (ranked.Count == 0)
        {
            ranked = CandidateRanking.Rank(derived);
        }

        var chosen = ranked.Count > 0 ? ranked[0] : null;
        var rejected = judged.Where(c => c.Rejection is not null).ToList();

        // An automatic request never shows a candidate the checks rejected; an explicit one shows the tier's best of them,
        // one refused only for a name before one that is not Python in its place.
        var shown = chosen ?? (context.Invoked ? CandidateRanking.BestRefused(judged) ?? judged[0] : judged[0]);
        var answer = chosen is null && !context.Invoked ? string.Empty : shown.Text;
        var firstRejection = chosen is null ? rejected.FirstOrDefault()?.Rejection : null;
        if (judged.Count > 1 || rejected.Count > 0)
        {
            logger.LogDebug(
                "{Model}: {Count} candidates, chose {Chosen} (mean logprob {Score:F2}, start confidence {Confidence:F2}); dropped {Dropped}",
                description.Id, judged.Count, chosen is null ? "nothing" : chosen.DerivedFrom is null ? chosen.Text : $"{chosen.Text} (the valid start or the mended text of a candidate rejected for {chosen.DerivedFrom})", chosen?.Score ?? double.NaN, chosen is null ? double.NaN : Math.Exp(chosen.Generation.StartLogprob),
                string.Join("; ", judged.Where(c => c.Generation != chosen?.Generation || c.Text != chosen.Text).Select(c => $"{c.Text} ({c.Rejection ?? (c.Text.Length == 0 ? "empty" : $"ranked lower, {c.Score:F2}")})")));
        }

        logger.LogInformation(
            "{Model} generated {Tokens} tokens ({Stop}) in {ElapsedMs} ms, prompt {PromptTokens} tokens ({Reused} reused), mean logprob {MeanLogprob:F2}, {Candidates} candidates, {Chars} chars kept",
            description.Id, judged.Sum(c => c.Generation.GeneratedTokens), StopReasons.Name(shown.Generation.StopReason), (long)generation.Elapsed.TotalMilliseconds,
            generation.PromptTokens, generation.ReusedPromptTokens, shown.Generation.MeanLogprob, judged.Count, answer.Length);
        return new TierAnswer(answer, shown.Generation, description)
        {
            Rejection = firstRejection,
            Derived = chosen?.DerivedFrom is not null,
            Candidates = judged.Count,
            RejectedBy = [.. rejected.Select(c => c.RejectedBy!)],
        };

        // Decodes the request's candidates, post-processes and checks each (the first was judged already when Accept saw
        // it), and adds them to the judged ones, the mended ones and the valid starts of the refused ones.
        async Task<ModelCompletion> DecodeAsync(CompletionRequest decode)
        {
            judgedFirst = null;
            var generated = await model.CompleteAsync(decode, cancellationToken).ConfigureAwait(false);
            foreach (var candidate in (IEnumerable<ModelCompletion>)[generated, .. generated.Alternatives])
            {
                var (text, rejection, kept, mended) = judgedFirst is { } first && first.Raw == candidate.Text && first.Stop == candidate.StopReason
                    ? (first.Text, first.Rejection, first.Kept, first.Mended)
                    : Judge(candidate.Text, candidate.StopReason);
                judged.Add(new JudgedCandidate(candidate, text, rejection));
                if (rejection is not null && kept.Trim().Length > 0)
                {
                    // A candidate whose only fault was a module name that does not exist, mended to the one it most likely
                    // meant, ranks with the whole ones (the model wrote all of it but the name's end); else what of a rejected
                    // candidate is Python in its place, its valid start, is a candidate of its own after every whole one.
                    (mended ? mendedCandidates : derived).Add(new JudgedCandidate(candidate, kept, null) { DerivedFrom = rejection });
                }
            }

            return generated;
        }

        // Post-processes a candidate and runs the checks: the text to insert, why it was rejected (null: it passed), and
        // what of it the checks accept (empty when it passed or nothing survives): the candidate mended (Mended), or its
        // longest valid start.
        (string Text, string? Rejection, string Kept, bool Mended) Judge(string raw, StopReason stop)
        {
            var processing = new PostProcessorOptions
            {
                Multiline = context.Multiline,
                MaxLines = options.MaxLines,
                IndentStyle = context.IndentStyle,
                Context = context.Block,
                Truncated = stop == StopReason.Length,
            };
            var (processed, repetition) = RepetitionCheck.Apply(
                postProcessor.Process(raw, context.Prefix, context.Suffix, processing), context.Suffix, context.Block, context.Multiline,
                truncated: context.Run.Checks && stop == StopReason.Length);
            if (repetition is not null && context.Run.Checks)
            {
                return (processed, repetition, string.Empty, false);
            }

            var check = context.Run.Checks && processed.Length > 0 ? CandidateCheck.Check(context.Prefix, processed, context.Suffix, context.Modules) : null;
            return (processed, check?.Rejection, check?.Rejection is null ? string.Empty : check.Kept, check?.Mended == true);
        }
    }
}

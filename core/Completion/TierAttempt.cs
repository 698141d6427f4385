using CodeAssist.Server.Inference;
using CodeAssist.Server.Prompting;
using CodeAssist.Server.Routing;
using Microsoft.Extensions.Logging;

namespace CodeAssist.Server.Completion;

/// <summary>
/// One tier's turn at an inline completion, as the router runs it for each model it chooses: the prompt within that
/// model's budget (<see cref="PromptBuilder"/>), generation, and the same Python post-processing for every tier.
/// The next stages of an attempt (several candidates, checks, ranking) belong here, between generation and answer.
/// </summary>
internal sealed class TierAttempt(
    CompletionContext context, PromptBuilder prompts, PostProcessor postProcessor, ILogger logger) : ITierAttempt
{
    /// <inheritdoc />
    public async Task<TierAnswer> RunAsync(ICompletionModel model, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var description = model.Description;
        var maxTokens = PromptBuilder.MaxTokens(options.MaxTokens, description.ContextLength);
        var prompt = prompts.Fit(
            context.DocumentKey, context.CursorOffset, context.Prefix, context.Suffix, description.Path, description.ContextLength, maxTokens, model.CountTokens, anchored: context.Run.UseCache);
        var request = new CompletionRequest(
            prompt.Prefix,
            prompt.Suffix,
            maxTokens,
            StopWhen: text => StopConditions.ShouldStop(text, context.Multiline, options.MaxLines, context.Block.BlockIndent),
            MinTokenLogprob: options.ConfidenceCutoff,
            Copy: ContextCopy.For(options.ContextCopy, description));
        var generation = await model.CompleteAsync(request, cancellationToken).ConfigureAwait(false);
        var processing = new PostProcessorOptions
        {
            Multiline = context.Multiline,
            MaxLines = options.MaxLines,
            IndentStyle = context.IndentStyle,
            Context = context.Block,
            Truncated = generation.StopReason == StopReason.Length,
        };
        var text = postProcessor.Process(generation.Text, context.Prefix, context.Suffix, processing);

        // check: an automatic request never shows code that cannot be Python where it would go — only the valid start of
        // it, if any (an explicit one shows the tier's best as it is).
        string? rejection = null;
        if (context.Run.Checks)
        {
            var check = CandidateCheck.Check(context.Prefix, text, context.Suffix);
            if (check.Rejection is not null)
            {
                rejection = check.Rejection;
                logger.LogDebug("{Model}'s candidate {Candidate} rejected ({Reason}); kept {Kept}", description.Id, text, rejection, check.Kept);
                text = context.Invoked ? text : check.Kept;
            }
        }

        logger.LogInformation(
            "{Model} generated {Tokens} tokens ({Stop}) in {ElapsedMs} ms, prompt {PromptTokens} tokens ({Reused} reused), mean logprob {MeanLogprob:F2}, {Chars} chars kept",
            description.Id, generation.GeneratedTokens, StopReasons.Name(generation.StopReason), (long)generation.Elapsed.TotalMilliseconds,
            generation.PromptTokens, generation.ReusedPromptTokens, generation.MeanLogprob, text.Length);
        return new TierAnswer(text, generation, description) { Rejection = rejection };
    }
}

using CodeAssist.Server.Prompting;

namespace CodeAssist.Server.Inference;

/// <summary>A model that fills in code at a cursor: the small in-process model, a larger local one, or a remote endpoint.</summary>
public interface ICompletionModel : IDisposable
{
    /// <summary>What the model is and how it prompts.</summary>
    ModelDescription Description { get; }

    /// <summary>Counts the tokens of plain text, for prompt budgeting.</summary>
    int CountTokens(string text);

    /// <summary>Generates the text between <see cref="CompletionRequest.Prefix"/> and <see cref="CompletionRequest.Suffix"/>.</summary>
    Task<ModelCompletion> CompleteAsync(CompletionRequest request, CancellationToken cancellationToken);
}

/// <summary>Describes a loaded model.</summary>
public sealed record ModelDescription(
    string Id,
    string Path,
    string Architecture,
    FimTemplate Template,
    int ContextLength,
    long ParameterCount,
    long FileSizeBytes);

/// <summary>One generation request.</summary>
/// <param name="Prefix">Text before the cursor (already cut to the token budget).</param>
/// <param name="Suffix">Text after the cursor (already cut to the token budget).</param>
/// <param name="MaxTokens">Most tokens to generate.</param>
/// <param name="StopWhen">Called with the text generated so far (after the healed whitespace); true ends generation.</param>
/// <param name="MinTokenLogprob">Generation ends before a token the model is less sure of than this (natural log); null: never.</param>
/// <param name="ForceLength">Never end at an end-of-generation token: always generate MaxTokens (speed measurement).</param>
/// <param name="Copy">Mix a copy model over the prompt into the local model's predictions (<see cref="ContextCopy"/>); null: the model alone.</param>
/// <param name="Candidates">Most candidates to generate; models that make one answer with one (the local model branches, see <see cref="Local.CandidateDecoder"/>).</param>
/// <param name="BranchMargin">A new candidate branches off where another token is at most this many nats less likely than the chosen one.</param>
/// <param name="DropBelow">An alternative whose start log-probability (<see cref="ModelCompletion.StartLogprob"/>) is below this once its start is generated stops and is no candidate (it could not be shown); null: never.</param>
/// <param name="Sampling">Sample further candidates after the first (greedy) one: seeded, with a temperature and a nucleus, within a time budget; null: none (the first candidate's alternatives are found by branching, see <paramref name="Candidates"/>).</param>
/// <param name="ForkWhereCopied">With <paramref name="Copy"/>: where the copy model first overrode the model, the model's own way on without it is the first candidate's first alternative (<see cref="Local.CandidateDecoder"/>).</param>
/// <param name="Accept">Called with the first candidate's text, start log-probability (<see cref="ModelCompletion.StartLogprob"/>) and stop reason when it ends: true takes it as it is, and no other candidate is decoded (it is clearly ahead).</param>
public sealed record CompletionRequest(
    string Prefix,
    string Suffix,
    int MaxTokens,
    Func<string, bool>? StopWhen = null,
    double? MinTokenLogprob = null,
    bool ForceLength = false,
    ContextCopyOptions? Copy = null,
    int Candidates = 1,
    double BranchMargin = CompletionRequest.DefaultBranchMargin,
    Func<string, double, StopReason, bool>? Accept = null,
    double? DropBelow = null,
    SamplingOptions? Sampling = null,
    IReadOnlyList<CopySource>? CopySources = null,
    Prompting.PromptSnippets? Snippets = null,
    bool ForkWhereCopied = false)
{
    /// <summary>The default <see cref="BranchMargin"/>: an alternative at least a third as likely as the chosen token.</summary>
    public const double DefaultBranchMargin = 1.1;
}

/// <summary>How a request samples candidates besides its greedy one (code actions, which can afford many and check them).</summary>
/// <param name="Count">Sampled candidates wanted (besides the greedy one).</param>
/// <param name="Temperature">Divides the logits before the softmax: below 1 sharper, above 1 flatter.</param>
/// <param name="TopP">The nucleus: only the most likely tokens whose shares add up to this are drawn from.</param>
/// <param name="Seed">The first sample's seed; sample i uses <c>Seed + i</c>, so the same request samples the same candidates.</param>
/// <param name="Budget">No sample starts after this much time from the request's start, and those running then end.</param>
public sealed record SamplingOptions(int Count, double Temperature, double TopP, int Seed, TimeSpan Budget);

/// <summary>What a model generated, with the figures the router and benchmarks need.</summary>
/// <param name="Text">The completion after the cursor.</param>
/// <param name="RawText">Everything generated, including the whitespace cut off the prompt by token healing.</param>
public sealed record ModelCompletion(
    string Text,
    string RawText,
    int GeneratedTokens,
    double MeanLogprob,
    double MinLogprob,
    int PromptTokens,
    int ReusedPromptTokens,
    StopReason StopReason,
    TimeSpan Elapsed)
{
    /// <summary>The other candidates of the same request, in the order they were found (empty for models that make one).</summary>
    public IReadOnlyList<ModelCompletion> Alternatives { get; init; } = [];

    /// <summary>
    /// Its tokens' log-probabilities, each with where the token's bytes end in the UTF-8 of <see cref="Text"/> (zero or
    /// less: the token only re-typed healed text); empty when the model does not report them.
    /// </summary>
    public IReadOnlyList<TokenScore> Tokens { get; init; } = [];

    /// <summary>How many bytes of new text (after the healed part) make a suggestion's start, the part confidence is about.</summary>
    public const int StartBytes = 3;

    /// <summary>
    /// The model's log-probability of the suggestion's start: the sum over the tokens that bring its first
    /// <see cref="StartBytes"/> new bytes (tokens that only re-type healed text excluded). Whether a suggestion is worth
    /// reading is decided by its first word: measured on held-out points, this tells kept suggestions from noise better
    /// than the mean over the whole line (README, "The confidence signal"). A model that reports no
    /// token scores answers <see cref="MeanLogprob"/>.
    /// </summary>
    public double StartLogprob => Tokens.Count == 0 ? MeanLogprob : StartOf(Tokens, 0);

    /// <summary>The start log-probability of <paramref name="tokens"/> whose new text begins after byte <paramref name="healedBytes"/>.</summary>
    public static double StartOf(IReadOnlyList<TokenScore> tokens, int healedBytes)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var sum = 0.0;
        foreach (var token in tokens)
        {
            var end = token.End - healedBytes;
            if (end <= 0)
            {
                continue;
            }

            sum += token.Logprob;
            if (end >= StartBytes)
            {
                break;
            }
        }

        return sum;
    }

    /// <summary>
    /// The mean log-probability of the tokens whose text ends within the first <paramref name="bytes"/> bytes of
    /// <see cref="Text"/>, healing tokens included as in <see cref="MeanLogprob"/> (which it answers when no token does).
    /// </summary>
    public double MeanLogprobWithin(int bytes)
    {
        var (sum, count) = (0.0, 0);
        foreach (var token in Tokens)
        {
            if (token.End > bytes)
            {
                break;
            }

            sum += token.Logprob;
            count++;
        }

        return count == 0 ? MeanLogprob : sum / count;
    }
}

/// <summary>One generated token's log-probability and the byte offset where its text ends.</summary>
/// <param name="End">Where the token's bytes end (in the output the token belongs to).</param>
/// <param name="Logprob">Its log-probability (natural log).</param>
public readonly record struct TokenScore(int End, float Logprob);

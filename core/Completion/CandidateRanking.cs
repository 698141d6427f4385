using CodeAssist.Server.Inference;

namespace CodeAssist.Server.Completion;

/// <summary>One candidate of a tier's turn after post-processing and the checks.</summary>
/// <param name="Generation">What the model generated for it.</param>
/// <param name="Text">The post-processed text to insert.</param>
/// <param name="Rejection">Why the checks rejected it (<c>check: reason</c>); null when it passed.</param>
internal sealed record JudgedCandidate(ModelCompletion Generation, string Text, string? Rejection)
{
    /// <summary>Whether it may be shown to an automatic request: it passed the checks and has text.</summary>
    public bool Passed => Rejection is null && Text.Length > 0;

    /// <summary>The model's score: the mean log-probability of its tokens (of a derived candidate, of the tokens it kept).</summary>
    public double Score => DerivedFrom is null ? Generation.MeanLogprob : Generation.MeanLogprobWithin(System.Text.Encoding.UTF8.GetByteCount(Text));

    /// <summary>
    /// Why the candidate it was cut from was rejected, when it is the longest start of that candidate the checks accept
    /// (<see cref="CheckResult.Kept"/>); null for a candidate as the model wrote it.
    /// </summary>
    public string? DerivedFrom { get; init; }

    /// <summary>The check that rejected it (the part of <see cref="Rejection"/> before the colon), or null.</summary>
    public string? RejectedBy => Rejection is null ? null : Rejection.Split(':', 2)[0];
}

/// <summary>
/// The ranking stage: the candidates that passed the checks, best score first (the model's mean log-probability; a
/// rejected candidate is out, whatever its score), the earlier candidate first on a tie, one per distinct text.
/// </summary>
internal static class CandidateRanking
{
    /// <summary>The passing candidates, best first, without repeated texts.</summary>
    public static IReadOnlyList<JudgedCandidate> Rank(IReadOnlyList<JudgedCandidate> candidates) =>
        [.. candidates
            .Select((candidate, index) => (candidate, index))
            .Where(pair => pair.candidate.Passed)
            .OrderByDescending(pair => pair.candidate.Score)
            .ThenBy(pair => pair.index)
            .Select(pair => pair.candidate)
            .DistinctBy(candidate => candidate.Text, StringComparer.Ordinal)];

    /// <summary>
    /// What an explicit request shows when no candidate passed: one refused only for a name (Python in its place; the
    /// user who asked may be about to define it) before one that is not Python there, then the best score, the earlier
    /// on a tie; null when every candidate is empty.
    /// </summary>
    public static JudgedCandidate? BestRefused(IReadOnlyList<JudgedCandidate> candidates) =>
        candidates
            .Select((candidate, index) => (candidate, index))
            .Where(pair => pair.candidate.Text.Length > 0)
            .OrderBy(pair => pair.candidate.RejectedBy == "names" ? 0 : 1)
            .ThenByDescending(pair => pair.candidate.Score)
            .ThenBy(pair => pair.index)
            .Select(pair => pair.candidate)
            .FirstOrDefault();
}

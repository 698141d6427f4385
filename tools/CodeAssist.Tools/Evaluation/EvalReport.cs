namespace CodeAssist.Tools.Evaluation;

/// <summary>Results of one contestant on one kind of completion point.</summary>
/// <param name="Kind">The kind of point.</param>
/// <param name="Samples">Points scored.</param>
/// <param name="ExactMatch">Share of points completed exactly (the line, or for blocks the whole body).</param>
/// <param name="FirstLineExactMatch">Share of points whose first completed line is exact (equal to <paramref name="ExactMatch"/> for line and FIM points).</param>
/// <param name="EditSimilarity">Mean of 1 − normalised Levenshtein distance.</param>
/// <param name="LatencyP50Ms">Median time of one request through the pipeline.</param>
/// <param name="LatencyP95Ms">95th percentile of that time.</param>
/// <param name="EscalationShare">Router only: share of these points it escalated to the fallback tier.</param>
/// <param name="FallbackShare">Router only: share of these points answered by the fallback tier.</param>
/// <param name="PointEditSimilarity">Each point's edit similarity, in the order of the points (for paired comparisons).</param>
/// <param name="PointCompletions">Each point's completion text, in the order of the points (to compare two runs point by point).</param>
/// <param name="PointScores">Each point's model score (the shown answer's mean log-probability; null when nothing was generated): a confidence threshold can be chosen from them.</param>
/// <param name="PointKeptChars">Each point's kept characters (<see cref="AcceptanceFigures.AcceptedCharsPerPoint"/> per point).</param>
/// <param name="PointFirstLineExact">Each point: whether its first completed line is exact.</param>
public sealed record KindResult(
    EvalKind Kind,
    int Samples,
    double ExactMatch,
    double FirstLineExactMatch,
    double EditSimilarity,
    double LatencyP50Ms,
    double LatencyP95Ms,
    double? EscalationShare = null,
    double? FallbackShare = null,
    IReadOnlyList<double>? PointEditSimilarity = null,
    IReadOnlyList<string>? PointCompletions = null,
    AcceptanceFigures? Acceptance = null)
{
    /// <summary>Each point's model score; see the record's parameters.</summary>
    public IReadOnlyList<double?>? PointScores { get; init; }

    /// <summary>Each point's kept characters.</summary>
    public IReadOnlyList<int>? PointKeptChars { get; init; }

    /// <summary>Each point: whether its first completed line is exact.</summary>
    public IReadOnlyList<bool>? PointFirstLineExact { get; init; }

    /// <summary>For implement points: how often the action wrote a body, and whether the file still parses.</summary>
    public ImplementFigures? Implement { get; init; }
}

/// <summary>What "Implement function" did at implement points.</summary>
/// <param name="Written">Share of points where the action wrote a body: one of its candidates passed the checks (else it reported why not).</param>
/// <param name="SyntaxValid">Of the bodies written, the share whose file parses as Python (the statement-level parser, checked against CPython).</param>
/// <param name="Failures">Points without a body, by the first reason the action gave.</param>
public sealed record ImplementFigures(double Written, double SyntaxValid, IReadOnlyDictionary<string, int> Failures);

/// <summary>What a user would get from the suggestions at these points.</summary>
/// <param name="Shown">Share of points with a suggestion.</param>
/// <param name="ExactAmongShown">Of the points with a suggestion, the share whose first line is exactly right (precision).</param>
/// <param name="Noise">Of the points with a suggestion, the share where the user could keep fewer than 3 characters.</param>
/// <param name="AcceptedCharsPerPoint">Characters a user would keep per point (all points): the whole first line when it is exact, else the common start cut back to the end of a word, as word-by-word accept keeps.</param>
/// <param name="FalseRejections">Share of points whose real text the checks (<c>CandidateCheck</c>) reject: a check that rejects real code is wrong.</param>
public sealed record AcceptanceFigures(double Shown, double ExactAmongShown, double Noise, double AcceptedCharsPerPoint, double FalseRejections);

/// <summary>What the router contestant did: which tiers, how often it escalated and why, and how the fallback fared.</summary>
/// <param name="Local">The local model's id.</param>
/// <param name="Fallback">The fallback tier, as logs name it (kind, model, endpoint).</param>
/// <param name="Requests">Completion requests made.</param>
/// <param name="Escalated">Requests escalated to the fallback tier.</param>
/// <param name="Reasons">Escalations by reason (invoked, blockStart, unsure, emptyLocal).</param>
/// <param name="FallbackUsed">Escalations answered by the fallback within the deadline.</param>
/// <param name="FallbackLate">Escalations whose fallback missed the deadline (the local answer was used).</param>
/// <param name="FallbackFailed">Escalations whose fallback failed or answered nothing (the local answer was used).</param>
/// <param name="Failures">Fallback failures by reason (connection, timeout, http-NNN, …).</param>
public sealed record RoutingSummary(
    string Local,
    string Fallback,
    int Requests,
    long Escalated,
    IReadOnlyDictionary<string, long> Reasons,
    long FallbackUsed,
    long FallbackLate,
    long FallbackFailed,
    IReadOnlyDictionary<string, long> Failures)
{
    /// <summary>Share of requests escalated.</summary>
    public double EscalationShare => Requests == 0 ? 0 : (double)Escalated / Requests;
}

/// <summary>Results of one contestant: a model, a remote endpoint, the router, or a baseline.</summary>
/// <param name="Name">The contestant as named in <c>--models</c> (a path is shown by its file name).</param>
/// <param name="Kind">What it is.</param>
/// <param name="Status">Whether it ran, and if not why.</param>
/// <param name="Model">The model that answered: its GGUF id, the remote model and endpoint, or the router's tiers.</param>
/// <param name="Path">The GGUF file, the endpoint, or the baseline's data file.</param>
/// <param name="Parameters">Parameter count of a local model.</param>
/// <param name="FileSizeBytes">Size of a local model's file.</param>
/// <param name="Kinds">Results per kind of point (empty unless it ran).</param>
/// <param name="LossPerToken">Mean next-token loss in nats on the first tokens of some files (local models and the unigram baseline).</param>
/// <param name="LossTokens">Tokens the loss was measured on.</param>
/// <param name="TokensPerSecond">Generation speed: the speed probe for local models, generated tokens over generation time for remote ones.</param>
/// <param name="Error">Why it did not run (null when it did).</param>
/// <param name="Routing">The router's figures (router only).</param>
/// <param name="Failures">A remote contestant's failed calls by reason (remote only).</param>
public sealed record ContestantResult(
    string Name,
    ContestantKind Kind,
    ContestantStatus Status,
    string? Model,
    string? Path,
    long? Parameters,
    long? FileSizeBytes,
    IReadOnlyList<KindResult> Kinds,
    double? LossPerToken,
    int LossTokens,
    double? TokensPerSecond,
    string? Error,
    RoutingSummary? Routing = null,
    IReadOnlyDictionary<string, long>? Failures = null)
{
    /// <summary>A contestant that did not run.</summary>
    public static ContestantResult NotRun(string name, ContestantKind kind, ContestantStatus status, string error, string? path = null) =>
        new(name, kind, status, null, path, null, null, [], null, 0, null, error);
}

/// <summary>A whole evaluation run.</summary>
/// <param name="Folder">The evaluated folder.</param>
/// <param name="Seed">The sampling seed.</param>
/// <param name="Corpus">The points, the kinds and counts asked for, and the files read and skipped.</param>
/// <param name="Contestants">One result per contestant, in the order given.</param>
public sealed record EvalReport(string Folder, int Seed, EvalCorpus Corpus, IReadOnlyList<ContestantResult> Contestants)
{
    /// <summary>The training campaign's trainer pids paused while the contestants ran (<c>codeassist eval</c> pauses them unless told not to).</summary>
    public IReadOnlyList<int> TrainerPaused { get; init; } = [];
}

/// <summary>Where a run stands, for progress bars.</summary>
/// <param name="Contestant">The contestant running.</param>
/// <param name="Done">Points done.</param>
/// <param name="Total">Points in all.</param>
public sealed record EvalProgress(string Contestant, int Done, int Total);

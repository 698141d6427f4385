using System.Globalization;

namespace CodeAssist.Tools.Evaluation.Reporting;

/// <summary>How the reports name kinds, statuses and reasons, and format figures: one spelling for JSON, tables and HTML.</summary>
public static class EvalNames
{
    /// <summary>A kind of point: line, fim, block, implement.</summary>
    public static string Of(EvalKind kind) => kind switch
    {
        EvalKind.Line => "line",
        EvalKind.Fim => "fim",
        EvalKind.Block => "block",
        EvalKind.Implement => "implement",
        _ => kind.ToString().ToLowerInvariant(),
    };

    /// <summary>A contestant's kind: model, remote, router, baseline.</summary>
    public static string Of(ContestantKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>A status: ok, not-found, not-downloaded, unreachable, failed.</summary>
    public static string Of(ContestantStatus status) => status switch
    {
        ContestantStatus.Ok => "ok",
        ContestantStatus.NotFound => "not-found",
        ContestantStatus.NotDownloaded => "not-downloaded",
        ContestantStatus.Unreachable => "unreachable",
        _ => "failed",
    };

    /// <summary>Why a file was skipped: unreadable, notUtf8, tooLarge, syntaxError.</summary>
    public static string Of(SkipReason reason) => reason switch
    {
        SkipReason.Unreadable => "unreadable",
        SkipReason.NotUtf8 => "notUtf8",
        SkipReason.TooLarge => "tooLarge",
        _ => "syntaxError",
    };

    /// <summary>Why a file was skipped, for people.</summary>
    public static string Describe(SkipReason reason) => reason switch
    {
        SkipReason.Unreadable => "unreadable",
        SkipReason.NotUtf8 => "not UTF-8",
        SkipReason.TooLarge => "too large",
        _ => "syntax errors",
    };

    /// <summary>A share as three decimals.</summary>
    public static string Share(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);

    /// <summary>A share as a whole percentage.</summary>
    public static string Percent(double value) => (value * 100).ToString("0", CultureInfo.InvariantCulture) + " %";

    /// <summary>Milliseconds: one decimal below 100, whole above.</summary>
    public static string Ms(double value) => value.ToString(value < 100 ? "0.0" : "0", CultureInfo.InvariantCulture);

    /// <summary>A parameter count in millions or billions; a dash when unknown.</summary>
    public static string Parameters(long? count) => count switch
    {
        null or 0 => "–",
        >= 1_000_000_000 => (count.Value / 1e9).ToString("0.0", CultureInfo.InvariantCulture) + "B",
        _ => (count.Value / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + "M",
    };

    /// <summary>A file size in MB or GB; a dash when unknown.</summary>
    public static string Size(long? bytes) => bytes switch
    {
        null or 0 => "–",
        >= 1_000_000_000 => (bytes.Value / 1e9).ToString("0.00", CultureInfo.InvariantCulture) + " GB",
        _ => (bytes.Value / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + " MB",
    };

    /// <summary>An optional figure with a format; a dash when absent.</summary>
    public static string Optional(double? value, string format) => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "–";

    /// <summary>The files line: how many were read and skipped, by reason, and the points per kind.</summary>
    public static string FilesLine(EvalReport report)
    {
        var corpus = report.Corpus;
        var reasons = corpus.SkippedByReason.Where(kv => kv.Value > 0).Select(kv => $"{kv.Value} {Describe(kv.Key)}").ToList();
        var skipped = corpus.FilesSkipped == 0 ? "none skipped" : $"{corpus.FilesSkipped} skipped: {string.Join(", ", reasons)}";
        var points = string.Join(", ", corpus.SamplesByKind.Select(kv => $"{Of(kv.Key)} {kv.Value}"));
        return $"{corpus.FilesRead} files read ({skipped}); points: {points}; seed {report.Seed}";
    }

    /// <summary>What the router did, in one line.</summary>
    public static string RoutingLine(ContestantResult contestant)
    {
        var routing = contestant.Routing!;
        var reasons = string.Join(", ", routing.Reasons.Where(kv => kv.Value > 0).Select(kv => $"{kv.Key} {kv.Value}"));
        var failures = string.Join(", ", routing.Failures.Where(kv => kv.Value > 0).Select(kv => $"{kv.Key} {kv.Value}"));
        return $"{contestant.Name}: {routing.Local} → {routing.Fallback}; escalated {routing.Escalated} of {routing.Requests} ({Percent(routing.EscalationShare)})"
            + (reasons.Length > 0 ? $": {reasons}" : string.Empty)
            + $"; fallback answers used {routing.FallbackUsed}, late {routing.FallbackLate}, failed {routing.FallbackFailed}"
            + (failures.Length > 0 ? $" ({failures})" : string.Empty);
    }
}

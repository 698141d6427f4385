using System.Buffers;
using CodeAssist.Server.Python;

namespace CodeAssist.Server.Completion;

/// <summary>
/// The check stage: whether a candidate completion is Python in its place, in two checks. <b>Syntax</b>: the code from
/// the last top-level statement before the cursor, the candidate, and the rest of the cursor's line, parsed as a
/// fragment by <see cref="PythonParser"/>: invalid (an error no continuation can fix) rejects the candidate; valid or
/// unfinished (an open bracket, block or string the next lines may close) passes. When the code before the cursor is
/// already invalid on its own (being edited elsewhere, or a window that starts inside a string), the check cannot
/// judge and passes the candidate. <b>Names</b>, when the syntax passes (<see cref="NameCheck"/>): every name the
/// candidate reads must be bound in the document where the cursor can see it (not another function's local), by the
/// candidate, or be a builtin; <c>self.x</c> in a
/// class without bases and <c>os.x</c> for a standard-library module must exist. What it cannot know passes.
/// </summary>
/// <remarks>
/// <c>print(path) as handle:</c> after <c>for name in os.listdir("."):</c> is rejected (syntax) and <c>print(path)</c>
/// too (names: path is bound nowhere); <c>print(name)</c> passes. The parse is linear in the text (tens of
/// microseconds per hundred lines) and the document's bindings take one tokenizer pass (about a millisecond per
/// 2,000 lines), so checking costs far less than a token.
/// </remarks>
public static class CandidateCheck
{
    // The most characters a stray end has (see IsStrayEnd), and what it never holds.
    private const int MaxStrayEnd = 2;

    private static readonly SearchValues<char> NotStray = SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_'\"\n#");

    /// <summary>Null when <paramref name="candidate"/> may stand between <paramref name="prefix"/> and <paramref name="suffix"/>; else why not.</summary>
    public static string? Reject(string prefix, string candidate, string suffix, ModuleNames? modules = null) => Check(prefix, candidate, suffix, modules).Rejection;

    /// <summary>
    /// Checks <paramref name="candidate"/> in its place; when it is rejected, also the longest start of it that passes:
    /// up to the last whole line before the error in a multi-line candidate, up to the token the parser refused (or the
    /// unbound name) on the candidate's first line (<c>print(path) as handle:</c> keeps <c>print(</c>, since path is
    /// unbound; after a loop over <c>path</c> it would keep <c>print(path)</c>). Empty when no start survives. A module
    /// attribute or an imported name that does not exist (<c>os.lisdir</c>, <c>from .models import Ordr</c>) is mended to
    /// the module's name that shares the longest start with it (<c>os.listdir</c>), when one shares at least half of it,
    /// and the mended candidate, checked again, is kept.
    /// </summary>
    public static CheckResult Check(string prefix, string candidate, string suffix, ModuleNames? modules = null)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(suffix);
        if (candidate.Length == 0)
        {
            return CheckResult.Passed(candidate);
        }

        var region = prefix[StatementStart(prefix)..];
        var lineEnd = suffix.IndexOf('\n', StringComparison.Ordinal);
        var lineRest = lineEnd < 0 ? suffix : suffix[..lineEnd];
        var before = PythonParser.Check(region + lineRest, PythonParseOptions.Fragment);
        if (before.Verdict == PythonParseVerdict.Invalid && before.Offset < region.Length)
        {
            return CheckResult.Passed(candidate);
        }

        var with = PythonParser.Check(region + candidate + lineRest, PythonParseOptions.Fragment);
        if (with.Verdict != PythonParseVerdict.Invalid)
        {
            if (NameCheck.Find(prefix, candidate, suffix, region, lineRest, modules: modules) is not { } problem)
            {
                return CheckResult.Passed(candidate);
            }

            // A module attribute or imported name that does not exist, mended to the one it most likely meant: what may be
            // shown of the candidate is the mended one when it passes, else the valid start of it (which gets further).
            if (problem.Mend is { } mend && Check(prefix, mend, suffix, modules) is { } again)
            {
                return new CheckResult(problem.Reason, again.Kept) { Mended = again.Rejection is null };
            }

            return new CheckResult(problem.Reason, Keep(region, candidate, lineRest, problem.Offset));
        }

        var rejection = $"syntax: {with.Reason}";
        var kept = Keep(region, candidate, lineRest, with.Offset - region.Length);
        if (kept.Length > 0 && NameCheck.Find(prefix, kept, suffix, region, lineRest, modules: modules) is { } unbound)
        {
            kept = Keep(region, kept, lineRest, unbound.Offset);
        }

        return new CheckResult(rejection, kept) { Mended = IsStrayEnd(candidate, kept) };
    }

    /// <summary>
    /// Whether all that stands between <paramref name="candidate"/> and its valid start <paramref name="kept"/> is a stray
    /// end: one or two punctuation characters after the last thing written on its line. The copy model makes this slip
    /// where it follows a definition one step too far — <c>total = order.total_</c> continued from
    /// <c>def total_after_duties(self, zone):</c> ends in <c>(order, zone):</c> — and the candidate without it is the
    /// whole of what the model meant, so it is mended rather than cut.
    /// </summary>
    private static bool IsStrayEnd(string candidate, string kept)
    {
        if (kept.Length == 0 || !candidate.StartsWith(kept, StringComparison.Ordinal))
        {
            return false;
        }

        var end = candidate.AsSpan(kept.Length).TrimEnd();
        return end.Length is > 0 and <= MaxStrayEnd && end.IndexOfAny(NotStray) < 0;
    }

    /// <summary>The longest start of <paramref name="candidate"/> before <paramref name="cut"/> that is not invalid: its whole lines before the cut, or its first line up to it.</summary>
    private static string Keep(string region, string candidate, string lineRest, int cut)
    {
        cut = Math.Clamp(cut, 0, candidate.Length);
        var lastBreak = candidate.LastIndexOf('\n', Math.Max(0, cut - 1));
        var kept = (lastBreak >= 0 ? candidate[..lastBreak] : candidate[..cut]).TrimEnd();
        if (kept.Length > 0 && PythonParser.Check(region + kept + lineRest, PythonParseOptions.Fragment).Verdict == PythonParseVerdict.Invalid)
        {
            kept = string.Empty;
        }

        return kept;
    }

    /// <summary>Where the last line that starts a top-level statement begins (a code line at column 0); 0 when none does.</summary>
    internal static int StatementStart(string prefix)
    {
        // The cursor's own line is part of the statement being written, so the search starts before it.
        var end = prefix.LastIndexOf('\n');
        while (end > 0)
        {
            var start = prefix.LastIndexOf('\n', end - 1) + 1;
            if (start < end && StartsStatement(prefix[start]))
            {
                return start;
            }

            end = start - 1;
        }

        return 0;
    }

    /// <summary>
    /// Whether a line beginning with <paramref name="c"/> at column 0 starts a top-level statement (closing brackets and
    /// string continuations there belong to the statement above).
    /// </summary>
    internal static bool StartsStatement(char c) => !char.IsWhiteSpace(c) && c is not ('#' or ')' or ']' or '}' or '"' or '\'');
}

/// <summary>What <see cref="CandidateCheck"/> found: why the candidate is not Python in its place (null when it is), and what of it may be shown.</summary>
/// <param name="Rejection">Why the whole candidate was rejected; null when it passed.</param>
/// <param name="Kept">The candidate when it passed; else the candidate mended (<see cref="Mended"/>), or its longest valid start, or empty.</param>
public sealed record CheckResult(string? Rejection, string Kept)
{
    /// <summary>
    /// Whether <see cref="Kept"/> is the whole candidate mended: a name that does not exist replaced by the module's name
    /// it most likely meant, or a stray end cut off (a <c>:</c> after a call copied from a definition). A mended candidate
    /// ranks with the whole ones.
    /// </summary>
    public bool Mended { get; init; }

    /// <summary>A candidate that passed whole.</summary>
    public static CheckResult Passed(string candidate) => new(null, candidate);
}

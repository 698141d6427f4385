using System.Diagnostics;
using System.Text;
using CodeAssist.Server.Completion;
using CodeAssist.Server.Python;
using CodeAssist.Tests.Python;
using CodeAssist.Tests.Testing;
using Xunit.Abstractions;

namespace CodeAssist.Tests.Completion;

/// <summary>
/// The check stage on real code (Debian's numpy, <see cref="HeldOutPythonCode"/>): each sampled line, cut at its
/// first non-blank character, is the candidate, with the file before it as prefix and after it as suffix. Real lines
/// must pass; the same lines with one identifier misspelt are what the names check is worth.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class NameCheckRealCodeTests(ITestOutputHelper output)
{
    private const int Seed = 20251206;
    private const int TargetPoints = 6000;
    private const double MostRejected = 0.005;

    [Fact]
    public void RealLinesPassAndMisspeltNamesAreCaught()
    {
        var files = HeldOutPythonCode.Files;
        int totalLines = files.Sum(file => file.Text.Count(c => c == '\n'));
        int every = Math.Max(1, totalLines / TargetPoints);
        var random = new Random(Seed);
        var offenders = new List<string>();
        int points = 0, rejected = 0, rejectedByNames = 0, mutated = 0, caught = 0, caughtBySyntax = 0;
        var missed = new List<string>();
        var byPlace = new SortedDictionary<string, (int Mutated, int Caught)>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        int lineNumber = 0;
        foreach (var (path, text) in files)
        {
            var bindings = NameCheck.DocumentBindings(text, string.Empty);
            bool starImport = bindings.UnknownStarImport || bindings.DynamicGlobals;
            for (int start = 0; start < text.Length; lineNumber++)
            {
                int newline = text.IndexOf('\n', start);
                int end = newline < 0 ? text.Length : newline;
                int lineStart = start;
                start = end + 1;
                if (lineNumber % every != 0)
                {
                    continue;
                }

                int code = lineStart;
                while (code < end && text[code] is ' ' or '\t')
                {
                    code++;
                }

                string candidate = text[code..end].TrimEnd('\r');
                if (candidate.Length == 0 || candidate[0] == '#')
                {
                    continue;
                }

                string prefix = text[..code];
                string suffix = text[end..];
                points++;
                var check = CandidateCheck.Check(prefix, candidate, suffix);
                if (check.Rejection is not null)
                {
                    rejected++;
                    rejectedByNames += check.Rejection.StartsWith("names:", StringComparison.Ordinal) ? 1 : 0;
                    if (offenders.Count < 40)
                    {
                        offenders.Add($"{Path.GetFileName(path)}:{Line(text, code)}: {check.Rejection}\n    {candidate}");
                    }

                    continue;
                }

                if (Mutate(prefix, candidate, text, starImport, random) is var (misspelt, place))
                {
                    mutated++;
                    var reason = CandidateCheck.Reject(prefix, misspelt, suffix);
                    bool names = reason?.StartsWith("names:", StringComparison.Ordinal) == true;
                    caught += names ? 1 : 0;
                    caughtBySyntax += reason?.StartsWith("syntax:", StringComparison.Ordinal) == true ? 1 : 0;
                    var tally = byPlace.GetValueOrDefault(place);
                    byPlace[place] = (tally.Mutated + 1, tally.Caught + (names ? 1 : 0));
                    if (!names && place == "a read" && missed.Count < 15)
                    {
                        missed.Add($"{Path.GetFileName(path)}:{Line(text, code)}: {misspelt}");
                    }
                }
            }
        }

        var elapsed = clock.Elapsed;
        output.WriteLine($"real lines: {points} points (every {every}th of {totalLines:N0} lines in {files.Count} files); rejected {rejected} = {100.0 * rejected / points:F3} %");
        output.WriteLine($"  by the names check: {rejectedByNames} = {100.0 * rejectedByNames / points:F3} % (the rest by the syntax check)");
        output.WriteLine($"misspelt (one identifier replaced by a made-up one): {mutated}; the names check rejects {caught} = {100.0 * caught / Math.Max(mutated, 1):F1} % (the syntax check {caughtBySyntax})");
        foreach (var (place, tally) in byPlace)
        {
            output.WriteLine($"  {place,-28} {tally.Caught,5}/{tally.Mutated,-5} = {100.0 * tally.Caught / Math.Max(tally.Mutated, 1):F1} %");
        }

        output.WriteLine($"checks took {elapsed.TotalSeconds:F1} s in all ({elapsed.TotalMilliseconds / (points + mutated):F2} ms each, whole-file tokenizing included)");
        ReportBindingCost(files);
        foreach (var offender in offenders)
        {
            output.WriteLine(offender);
        }

        output.WriteLine("misspelt reads that passed:");
        foreach (var miss in missed)
        {
            output.WriteLine($"  {miss}");
        }

        Assert.True(points >= 3000, $"only {points} points");
        Assert.True(rejected <= points * MostRejected, $"{rejected} of {points} real lines rejected");
        Assert.True(caught >= mutated / 4, $"only {caught} of {mutated} misspelt lines caught");
    }

    /// <summary>
    /// The line with one name token (code, not a keyword) replaced by a made-up identifier the file does not contain,
    /// and what that name was there: a read, an attribute after a dot, or neither (a target, a definition, an import).
    /// </summary>
    private static (string Text, string Place)? Mutate(string prefix, string candidate, string text, bool starImport, Random random)
    {
        var region = prefix[CandidateCheck.StatementStart(prefix)..];
        var tokens = PythonTokenizer.Tokenize(region + candidate, fragment: true);
        var names = tokens.Tokens
            .TakeWhile(token => token.Kind != PythonTokenKind.Error)
            .Where(token => token.Kind == PythonTokenKind.Name && token.Start >= region.Length)
            .ToList();
        if (names.Count == 0)
        {
            return null;
        }

        var token = names[random.Next(names.Count)];
        var read = PythonReads.In(tokens, token.Start, token.End).Where(read => read.Start == token.Start).ToList();
        var own = new PythonBindings();
        PythonNames.BindFragment(own, tokens);
        string place = read.Count == 0 ? "not a read (import, keyword)"
            : read[0].Chain.Length == 1 && own.Binds(read[0].Name) ? "bound by the line (target, def)"
            : read[0].Chain.Length == 1 ? starImport ? "a read, file binds dynamically" : "a read"
            : read[0].Chain[0] is "self" or "cls" ? "self.attribute"
            : "other attribute";
        var name = new PythonToken(token.Kind, token.Start - region.Length, token.Length);
        string made;
        do
        {
            var letters = new StringBuilder();
            int length = random.Next(4, 9);
            for (int i = 0; i < length; i++)
            {
                letters.Append((char)('a' + random.Next(26)));
            }

            made = letters.ToString();
        }
        while (text.Contains(made, StringComparison.Ordinal));
        return (candidate[..name.Start] + made + candidate[name.End..], place);
    }

    private void ReportBindingCost(IReadOnlyList<(string Path, string Text)> files)
    {
        var (path, text) = files.MaxBy(file => file.Text.Length);
        int lines = text.Count(c => c == '\n');
        NameCheck.DocumentBindings(text, string.Empty);
        var times = new List<double>();
        for (int run = 0; run < 9; run++)
        {
            var clock = Stopwatch.StartNew();
            NameCheck.DocumentBindings(text, string.Empty);
            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        double median = times.Order().ElementAt(times.Count / 2);
        output.WriteLine($"document bindings of {Path.GetFileName(path)} ({lines:N0} lines, {text.Length / 1024} KB): median {median:F2} ms = {median * 2000 / lines:F2} ms per 2,000 lines");
    }

    private static int Line(string text, int offset) => text.AsSpan(0, offset).Count('\n') + 1;
}

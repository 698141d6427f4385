using System.Text;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace CodeAssist.Tools.Evaluation.Reporting;

/// <summary>
/// The report as a table for people: one row per contestant and kind of point, contestant-wide figures (speed, size,
/// loss) on its first row; contestants that did not run get one row with their status and a note below with the reason.
/// Rendered with Spectre.Console for a terminal, or as Markdown when the output is a file or a pipe.
/// </summary>
public static class EvalTableReport
{
    private static readonly string[] Headers =
        ["contestant", "kind", "n", "EM", "line-1 EM", "ES", "p50 ms", "p95 ms", "escalated", "tokens/s", "params", "size", "loss/token"];

    private const int EscalatedColumn = 8;

    /// <summary>The table's rows, each cell as plain text.</summary>
    public static IReadOnlyList<string[]> Rows(EvalReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var rows = new List<string[]>();
        foreach (var c in report.Contestants)
        {
            if (c.Status != ContestantStatus.Ok)
            {
                rows.Add([Label(c), EvalNames.Of(c.Status), .. Enumerable.Repeat("–", Headers.Length - 2)]);
                continue;
            }

            var first = true;
            foreach (var k in c.Kinds)
            {
                rows.Add(
                [
                    Label(c),
                    EvalNames.Of(k.Kind),
                    k.Samples.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    EvalNames.Share(k.ExactMatch),
                    EvalNames.Share(k.FirstLineExactMatch),
                    EvalNames.Share(k.EditSimilarity),
                    EvalNames.Ms(k.LatencyP50Ms),
                    EvalNames.Ms(k.LatencyP95Ms),
                    k.EscalationShare is { } share ? EvalNames.Percent(share) : "–",
                    first ? EvalNames.Optional(c.TokensPerSecond, "0") : string.Empty,
                    first ? EvalNames.Parameters(c.Parameters) : string.Empty,
                    first ? EvalNames.Size(c.FileSizeBytes) : string.Empty,
                    first ? EvalNames.Optional(c.LossPerToken, "0.000") : string.Empty,
                ]);
                first = false;
            }
        }

        return rows;
    }

    /// <summary>Lines to print under the table: files read and skipped, what the router did, why contestants did not run.</summary>
    public static IReadOnlyList<string> Notes(EvalReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var notes = new List<string> { EvalNames.FilesLine(report) };
        foreach (var c in report.Contestants)
        {
            if (c.Status != ContestantStatus.Ok)
            {
                notes.Add($"{c.Name}: {c.Error}");
            }
            else if (c.Routing is not null)
            {
                notes.Add(EvalNames.RoutingLine(c));
            }
            else if (c.Failures is { Count: > 0 } failures)
            {
                notes.Add($"{c.Name}: failed calls: {string.Join(", ", failures.Select(kv => $"{kv.Key} {kv.Value}"))}");
            }

            if (c.Status == ContestantStatus.Ok)
            {
                foreach (var k in c.Kinds.Where(k => k.Implement is not null))
                {
                    var i = k.Implement!;
                    var failures = i.Failures.Count == 0 ? string.Empty : $"; no body: {string.Join(", ", i.Failures.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key} {kv.Value}"))}";
                    notes.Add(System.FormattableString.Invariant(
                        $"{c.Name}, implement: a body written at {i.Written:P0} of the points, syntax-valid {i.SyntaxValid:P0} of them{failures}"));
                }

                foreach (var k in c.Kinds.Where(k => k.Acceptance is not null))
                {
                    var a = k.Acceptance!;
                    notes.Add(System.FormattableString.Invariant(
                        $"{c.Name}, {EvalNames.Of(k.Kind)}: shown {a.Shown:P0}, exact among shown {a.ExactAmongShown:P1}, noise {a.Noise:P0} of shown, {a.AcceptedCharsPerPoint:0.00} characters kept per point, false rejections {a.FalseRejections:P1}"));
                }
            }
        }

        var paired = PairedComparison.Against(report);
        if (paired.Count > 0)
        {
            notes.Add($"edit similarity against {paired[0].Reference} on the same points (mean difference, 95 % CI; an interval without 0 is not noise):");
            notes.AddRange(paired.Select(p => "  " + p));
        }

        return notes;
    }

    /// <summary>The headers of <see cref="Rows"/>.</summary>
    public static IReadOnlyList<string> ColumnHeaders => Headers;

    /// <summary>The columns a one-table form shows: all, less "escalated" when the router did not run.</summary>
    public static IReadOnlyList<int> Columns(EvalReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var routed = report.Contestants.Any(c => c.Routing is not null);
        return Enumerable.Range(0, Headers.Length).Where(i => routed || i != EscalatedColumn).ToList();
    }

    /// <summary>The table as Markdown, followed by the notes.</summary>
    public static string ToMarkdown(EvalReport report)
    {
        var columns = Columns(report);
        var text = new StringBuilder();
        text.Append("| ").AppendJoin(" | ", columns.Select(i => Headers[i])).AppendLine(" |");
        text.Append('|').Append(string.Concat(Enumerable.Repeat("---|", columns.Count))).AppendLine();
        foreach (var row in Rows(report))
        {
            text.Append("| ").AppendJoin(" | ", columns.Select(i => row[i].Replace("|", "\\|", StringComparison.Ordinal))).AppendLine(" |");
        }

        text.AppendLine();
        foreach (var note in Notes(report))
        {
            text.AppendLine(note);
        }

        return text.ToString();
    }

    /// <summary>
    /// Writes the report to a Spectre console as two narrower tables, so it fits a terminal: quality and latency per
    /// contestant and kind (with the escalation share when the router ran), then size, speed and loss per contestant.
    /// </summary>
    public static void Write(IAnsiConsole console, EvalReport report)
    {
        ArgumentNullException.ThrowIfNull(console);
        var rows = Rows(report);
        var routed = report.Contestants.Any(c => c.Routing is not null);
        int[] quality = routed ? [0, 1, 2, 3, 4, 5, 6, 7, 8] : [0, 1, 2, 3, 4, 5, 6, 7];
        console.Write(Table(rows, quality));

        // Contestant-wide figures come from each contestant's first row; contestants without any are left out.
        var models = rows.Where(row => row[9].Length > 0 && row[1] is not ("unreachable" or "failed" or "not-found" or "not-downloaded")
            && row[9..].Any(cell => cell != "–")).ToList();
        if (models.Count > 0)
        {
            console.Write(Table(models, [0, 10, 11, 9, 12]));
        }

        foreach (var note in Notes(report))
        {
            console.WriteLine(note);
        }
    }

    private static Table Table(IReadOnlyList<string[]> rows, int[] columns)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var index in columns)
        {
            var column = new TableColumn(new Text(Headers[index], new Style(decoration: Decoration.Bold)));
            table.AddColumn(index == 0 ? column : index == 1 ? column.NoWrap() : column.RightAligned().NoWrap());
        }

        string? previous = null;
        foreach (var row in rows)
        {
            // The contestant's name once, on its first row.
            var cells = columns.Select(i => (IRenderable)new Text(i == 0 && row[0] == previous ? string.Empty : row[i], CellStyle(row, i))).ToArray();
            previous = row[0];
            table.AddRow(cells);
        }

        return table;
    }

    private static Style CellStyle(string[] row, int column) =>
        column == 1 && row[1] is "unreachable" or "failed" or "not-found" or "not-downloaded" ? new Style(Color.Red) : Style.Plain;

    private static string Label(ContestantResult c) => c.Model is { } model && model != c.Name && c.Kind == ContestantKind.Model ? $"{c.Name} ({model})" : c.Name;
}

using System.Globalization;
using System.Net;
using System.Text;

namespace CodeAssist.Tools.Evaluation.Reporting;

/// <summary>
/// The report as one self-contained HTML page (no scripts, no external styles or fonts): a scatter chart of edit
/// similarity against median latency, one point per contestant and kind, then the table and the notes.
/// </summary>
public static class EvalHtmlReport
{
    private const double Width = 960;
    private const double Height = 440;
    private const double Left = 64;
    private const double Right = 730;
    private const double Top = 24;
    private const double Bottom = 380;
    private const double MinLatencyMs = 0.1;

    private static readonly string[] Palette =
        ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"];

    /// <summary>The page.</summary>
    public static string Render(EvalReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var html = new StringBuilder();
        html.AppendLine("<!DOCTYPE html>");
        html.AppendLine("<html lang=\"en\"><head><meta charset=\"utf-8\">");
        html.AppendLine(CultureInfo.InvariantCulture, $"<title>codeassist eval: {Encode(Path.GetFileName(report.Folder.TrimEnd('/', '\\')))}</title>");
        html.AppendLine("<style>");
        html.AppendLine("body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2em;color:#222;max-width:1100px}");
        html.AppendLine("table{border-collapse:collapse;font-size:14px;margin:1em 0}th,td{border:1px solid #ccc;padding:3px 8px}");
        html.AppendLine("td.num{text-align:right;font-variant-numeric:tabular-nums}th{background:#f3f3f3}td.bad{color:#b00}");
        html.AppendLine("svg text{font-size:12px;fill:#333}.axis{stroke:#444}.grid{stroke:#e5e5e5}.note{color:#555}");
        html.AppendLine("</style></head><body>");
        html.AppendLine("<h1>Is the small model enough for this code?</h1>");
        html.AppendLine(CultureInfo.InvariantCulture, $"<p class=\"note\">Folder <code>{Encode(report.Folder)}</code>. {Encode(EvalNames.FilesLine(report))}.</p>");
        html.AppendLine("<h2>Quality against latency</h2>");
        html.AppendLine("<p class=\"note\">Edit similarity (1 − normalised Levenshtein distance; 1 is perfect) against the median time of one request, per contestant and kind of point. Up and to the left is better. Latency is on a log scale; baselines take no time and are drawn at 0.1 ms.</p>");
        AppendChart(html, report);
        html.AppendLine("<h2>Results</h2>");
        AppendTable(html, report);
        html.AppendLine("<ul class=\"note\">");
        foreach (var note in EvalTableReport.Notes(report).Skip(1))
        {
            html.AppendLine(CultureInfo.InvariantCulture, $"<li>{Encode(note)}</li>");
        }

        html.AppendLine("</ul>");
        html.AppendLine("<p class=\"note\">EM: the completion is exactly right (the line; for blocks the whole body, blank lines and trailing spaces ignored). line-1 EM: its first line is. ES: edit similarity. p50/p95: latency of one request through the editor's pipeline. escalated: share of requests the router sent to the fallback tier.</p>");
        if (report.Corpus.Skipped.Count > 0)
        {
            html.AppendLine(CultureInfo.InvariantCulture, $"<details><summary>{report.Corpus.FilesSkipped} skipped files</summary><ul>");
            foreach (var skipped in report.Corpus.Skipped)
            {
                html.AppendLine(CultureInfo.InvariantCulture, $"<li><code>{Encode(skipped.File)}</code>: {Encode(EvalNames.Describe(skipped.Reason))} ({Encode(skipped.Detail)})</li>");
            }

            html.AppendLine("</ul></details>");
        }

        html.AppendLine("</body></html>");
        return html.ToString();
    }

    private static void AppendChart(StringBuilder html, EvalReport report)
    {
        var contestants = report.Contestants.Where(c => c.Status == ContestantStatus.Ok && c.Kinds.Count > 0).ToList();
        var latencies = contestants.SelectMany(c => c.Kinds).Select(k => Math.Max(MinLatencyMs, k.LatencyP50Ms)).DefaultIfEmpty(1).ToList();
        var low = Math.Floor(Math.Log10(latencies.Min()));
        var high = Math.Ceiling(Math.Log10(latencies.Max()));
        if (high <= low)
        {
            high = low + 1;
        }

        double X(double ms) => Left + ((Math.Log10(Math.Max(MinLatencyMs, ms)) - low) / (high - low) * (Right - Left));
        double Y(double similarity) => Bottom - (Math.Clamp(similarity, 0, 1) * (Bottom - Top));

        html.AppendLine(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"edit similarity against median latency\">");
        for (var tick = 0; tick <= 5; tick++)
        {
            var value = tick / 5.0;
            var y = Y(value);
            html.AppendLine(Invariant($"<line class=\"grid\" x1=\"{Left}\" y1=\"{y:0.#}\" x2=\"{Right}\" y2=\"{y:0.#}\"/><text x=\"{Left - 8}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{value:0.0}</text>"));
        }

        for (var exponent = (int)low; exponent <= (int)high; exponent++)
        {
            var ms = Math.Pow(10, exponent);
            var x = X(ms);
            var label = ms < 1 ? ms.ToString("0.#", CultureInfo.InvariantCulture) : ms.ToString("0", CultureInfo.InvariantCulture);
            html.AppendLine(Invariant($"<line class=\"grid\" x1=\"{x:0.#}\" y1=\"{Top}\" x2=\"{x:0.#}\" y2=\"{Bottom}\"/><text x=\"{x:0.#}\" y=\"{Bottom + 18}\" text-anchor=\"middle\">{label}</text>"));
        }

        html.AppendLine(Invariant($"<line class=\"axis\" x1=\"{Left}\" y1=\"{Bottom}\" x2=\"{Right}\" y2=\"{Bottom}\"/><line class=\"axis\" x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Bottom}\"/>"));
        html.AppendLine(Invariant($"<text x=\"{(Left + Right) / 2}\" y=\"{Bottom + 40}\" text-anchor=\"middle\">latency p50 (ms, log scale)</text>"));
        html.AppendLine(Invariant($"<text x=\"16\" y=\"{(Top + Bottom) / 2}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {(Top + Bottom) / 2})\">edit similarity</text>"));

        for (var i = 0; i < contestants.Count; i++)
        {
            var c = contestants[i];
            var color = Palette[i % Palette.Length];
            foreach (var k in c.Kinds)
            {
                var title = Invariant($"{c.Name}, {EvalNames.Of(k.Kind)}: ES {k.EditSimilarity:0.000}, EM {k.ExactMatch:0.000}, p50 {k.LatencyP50Ms:0.0} ms, {k.Samples} points");
                html.Append(Invariant($"<g class=\"point\" data-contestant=\"{Encode(c.Name)}\" data-kind=\"{EvalNames.Of(k.Kind)}\" data-es=\"{k.EditSimilarity:0.####}\" data-p50=\"{k.LatencyP50Ms:0.#}\">"));
                html.Append(Marker(k.Kind, X(k.LatencyP50Ms), Y(k.EditSimilarity), color));
                html.AppendLine(CultureInfo.InvariantCulture, $"<title>{Encode(title)}</title></g>");
            }
        }

        // Legend: a colour per contestant, a shape per kind.
        var legendX = Right + 24;
        var legendY = Top + 6;
        for (var i = 0; i < contestants.Count; i++)
        {
            html.AppendLine(Invariant($"<rect x=\"{legendX}\" y=\"{legendY - 9}\" width=\"12\" height=\"12\" fill=\"{Palette[i % Palette.Length]}\"/><text x=\"{legendX + 18}\" y=\"{legendY + 1}\">{Encode(contestants[i].Name)}</text>"));
            legendY += 20;
        }

        legendY += 10;
        foreach (var kind in report.Corpus.Kinds)
        {
            html.AppendLine(Invariant($"{Marker(kind, legendX + 6, legendY - 3, "#555")}<text x=\"{legendX + 18}\" y=\"{legendY + 1}\">{EvalNames.Of(kind)}</text>"));
            legendY += 20;
        }

        html.AppendLine("</svg>");
    }

    private static string Marker(EvalKind kind, double x, double y, string color) => kind switch
    {
        EvalKind.Fim => Invariant($"<rect x=\"{x - 5.5:0.#}\" y=\"{y - 5.5:0.#}\" width=\"11\" height=\"11\" fill=\"{color}\" fill-opacity=\"0.85\"/>"),
        EvalKind.Block => Invariant($"<path d=\"M{x:0.#},{y - 7:0.#} L{x + 7:0.#},{y + 5:0.#} L{x - 7:0.#},{y + 5:0.#} Z\" fill=\"{color}\" fill-opacity=\"0.85\"/>"),
        _ => Invariant($"<circle cx=\"{x:0.#}\" cy=\"{y:0.#}\" r=\"6\" fill=\"{color}\" fill-opacity=\"0.85\"/>"),
    };

    private static void AppendTable(StringBuilder html, EvalReport report)
    {
        var columns = EvalTableReport.Columns(report);
        html.AppendLine("<table><thead><tr>");
        foreach (var i in columns)
        {
            html.Append(CultureInfo.InvariantCulture, $"<th>{Encode(EvalTableReport.ColumnHeaders[i])}</th>");
        }

        html.AppendLine("</tr></thead><tbody>");
        foreach (var row in EvalTableReport.Rows(report))
        {
            html.Append("<tr>");
            foreach (var i in columns)
            {
                var css = i == 1 && row[1] is "unreachable" or "failed" or "not-found" or "not-downloaded" ? " class=\"bad\"" : i >= 2 ? " class=\"num\"" : string.Empty;
                html.Append(CultureInfo.InvariantCulture, $"<td{css}>{Encode(row[i])}</td>");
            }

            html.AppendLine("</tr>");
        }

        html.AppendLine("</tbody></table>");
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}

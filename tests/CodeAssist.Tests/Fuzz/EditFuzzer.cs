using System.Globalization;
using System.Text;
using System.Text.Json;
using CodeAssist.Server.Documents;
using CodeAssist.Tests.Lsp;
using CodeAssist.Tests.Models;
using Microsoft.Extensions.DependencyInjection;

namespace CodeAssist.Tests.Fuzz;

/// <summary>
/// Edits: random incremental didChange sequences — several changes per notification, empty ranges, deletions across
/// lines, CRLF and lone CR, surrogate pairs, whole-text replacements, positions past a line's end and inside a
/// character (which README says mean the line's end and the character's start) — applied to a plain string as the
/// reference. The server's own copy must equal the reference: read from an in-memory server (UTF-16 and UTF-8
/// sessions, since the real process does not show its text), while the same UTF-16 sequence goes to the real process,
/// which must answer a completion at a random position after each batch.
/// </summary>
internal static class EditFuzzer
{
    private const string EditsUri = "file:///fuzz/edits.py";
    private const int Batch = 25;

    private static readonly string[] Pieces =
        ["a", "bc", " ", "\t", "\n", "\r\n", "\r", "😀", "é", "x = 1", "def f():\n    pass\n", "\"\"\"doc\r\n\"\"\"", "中文", "\U0001F40D = 2\r\n"];

    public static async Task RunAsync(FuzzContext context, FamilyReport report, int count)
    {
        var random = context.RandomFor("edits");
        await RunSessionAsync(context, report, random, count - (count / 3), utf8: false);
        await RunSessionAsync(context, report, random, count / 3, utf8: true);
    }

    private static async Task RunSessionAsync(FuzzContext context, FamilyReport report, Random random, int count, bool utf8)
    {
        await using var client = LspTestClient.Start();
        await client.InitializeAsync(new Dictionary<string, object?> { ["model"] = RepositoryPaths.TinyModel, ["threads"] = 1, ["maxTokens"] = 8 }, offerUtf8: utf8);
        var documents = client.Services.GetRequiredService<DocumentStore>();
        var encoding = utf8 ? "UTF-8" : "UTF-16";
        var text = "import os\r\nprint('😀')\n\nx = 1\r";
        var version = 1;
        var open = JsonText.Fill("""{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"@0","languageId":"python","version":1,"text":@1}}}""", EditsUri, JsonSerializer.Serialize(text));
        await client.SendRawAsync(open);
        var mirror = !utf8;
        if (mirror)
        {
            await (await context.ServerAsync()).SendRawAsync(FuzzServer.Frame(open));
        }

        var applied = 0;
        var history = new List<string>();
        while (applied < count)
        {
            var changes = new List<string>();
            for (var k = 1 + random.Next(3); k > 0 && applied < count; k--)
            {
                applied++;
                report.Inputs++;
                var inserted = RandomText(random);
                if (random.Next(60) == 0)
                {
                    changes.Add(JsonText.Fill("""{"text":@0}""", JsonSerializer.Serialize(inserted)));
                    text = inserted;
                    continue;
                }

                var a = RandomPosition(text, random, utf8);
                var b = random.Next(3) == 0 ? a : RandomPosition(text, random, utf8);
                var (start, end) = Compare(a, b) <= 0 ? (a, b) : (b, a);
                var from = Resolve(text, start, utf8);
                var to = Resolve(text, end, utf8);
                changes.Add(JsonText.Fill("""{"range":{"start":{"line":@0,"character":@1},"end":{"line":@2,"character":@3}},"text":@4}""", start.Line, start.Character, end.Line, end.Character, JsonSerializer.Serialize(inserted)));
                text = string.Concat(text.AsSpan(0, from), inserted, text.AsSpan(to));
            }

            version++;
            var change = JsonText.Fill("""{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"@0","version":@1},"contentChanges":[@2]}}""", EditsUri, version, string.Join(",", changes));
            history.Add(change);
            await client.SendRawAsync(change);
            if (mirror)
            {
                await (await context.ServerAsync()).SendRawAsync(FuzzServer.Frame(change));
            }

            if (history.Count % Batch == 0 || applied >= count)
            {
                // A request after the notifications: the server handles messages in order, so the changes are in.
                await client.RequestAsync("codeAssist/stats", null);
                if (!documents.TryGet(EditsUri, out var snapshot, out var loss))
                {
                    report.Failures.Add($"{encoding}: the document is not in sync after {applied} edits ({loss?.Reason ?? "not open"}); the last change: {history[^1]}");
                    return;
                }

                if (snapshot.Text != text || snapshot.Version != version)
                {
                    report.Failures.Add($"{encoding}: after {applied} edits the server's text (version {snapshot.Version}) differs from the reference (version {version}) at offset {FirstDifference(snapshot.Text, text)}; the last {Math.Min(3, history.Count)} changes:\n{string.Join("\n", history.TakeLast(3))}");
                    return;
                }

                if (mirror)
                {
                    await CompleteInMirrorAsync(context, report, text, random, applied);
                }
            }
        }
    }

    private static async Task CompleteInMirrorAsync(FuzzContext context, FamilyReport report, string text, Random random, int applied)
    {
        var server = await context.ServerAsync();
        var position = RandomPosition(text, random, utf8: false);
        try
        {
            var answer = await server.CompleteAsync(EditsUri, position.Line, position.Character, TimeSpan.FromSeconds(60));
            if (!answer.TryGetProperty("result", out _))
            {
                report.Failures.Add($"a completion at {position} after {applied} edits answered an error: {answer.GetRawText()}");
            }
        }
        catch (Exception ex) when (ex is TimeoutException or IOException)
        {
            report.Failures.Add($"a completion at {position} after {applied} edits: {ex.Message}");
            await context.RecoverAsync(report, $"edit {applied}");
        }
    }

    private static string RandomText(Random random)
    {
        // Mostly short, sometimes nothing (a deletion), so the text neither vanishes nor grows without bound.
        var builder = new StringBuilder();
        for (var i = random.Next(4); i > 0; i--)
        {
            builder.Append(Pieces[random.Next(Pieces.Length)]);
        }

        return builder.ToString();
    }

    /// <summary>A position on a line of the text: mostly on a character boundary, sometimes inside a character or past the line's end.</summary>
    private static (int Line, int Character) RandomPosition(string text, Random random, bool utf8)
    {
        var starts = LineStarts(text);
        var line = random.Next(starts.Count);
        var (start, end) = (starts[line], LineEnd(text, starts, line));
        var boundaries = new List<int> { 0 };
        var inside = new List<int>();
        var units = 0;
        for (var offset = start; offset < end;)
        {
            var width = Width(text, offset, end);
            var size = Units(text, offset, width, utf8);
            if (size > 1)
            {
                inside.Add(units + 1 + random.Next(size - 1));
            }

            units += size;
            offset += width;
            boundaries.Add(units);
        }

        var roll = random.Next(10);
        if (roll == 0)
        {
            return (line, units + 1 + random.Next(10));
        }

        if (roll == 1 && inside.Count > 0)
        {
            return (line, inside[random.Next(inside.Count)]);
        }

        return (line, boundaries[random.Next(boundaries.Count)]);
    }

    /// <summary>The offset a position means, by the rules README gives: past the end is the end, inside a character is its start.</summary>
    private static int Resolve(string text, (int Line, int Character) position, bool utf8)
    {
        var starts = LineStarts(text);
        var end = LineEnd(text, starts, position.Line);
        var offset = starts[position.Line];
        var units = 0;
        while (offset < end)
        {
            var width = Width(text, offset, end);
            var size = Units(text, offset, width, utf8);
            if (units + size > position.Character)
            {
                break;
            }

            units += size;
            offset += width;
        }

        return offset;
    }

    private static int Width(string text, int offset, int end) =>
        char.IsHighSurrogate(text[offset]) && offset + 1 < end && char.IsLowSurrogate(text[offset + 1]) ? 2 : 1;

    private static int Units(string text, int offset, int width, bool utf8) =>
        utf8 ? Encoding.UTF8.GetByteCount(text.AsSpan(offset, width)) : width;

    private static int Compare((int Line, int Character) a, (int Line, int Character) b) =>
        a.Line != b.Line ? a.Line.CompareTo(b.Line) : a.Character.CompareTo(b.Character);

    private static List<int> LineStarts(string text)
    {
        var starts = new List<int> { 0 };
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n' || (text[i] == '\r' && (i + 1 == text.Length || text[i + 1] != '\n')))
            {
                starts.Add(i + 1);
            }
        }

        return starts;
    }

    /// <summary>Where a line's text ends: before its line break.</summary>
    private static int LineEnd(string text, List<int> starts, int line)
    {
        if (line + 1 >= starts.Count)
        {
            return text.Length;
        }

        var next = starts[line + 1];
        return next >= 2 && text[next - 2] == '\r' && text[next - 1] == '\n' ? next - 2 : next - 1;
    }

    private static int FirstDifference(string a, string b)
    {
        var i = 0;
        while (i < a.Length && i < b.Length && a[i] == b[i])
        {
            i++;
        }

        return i;
    }
}

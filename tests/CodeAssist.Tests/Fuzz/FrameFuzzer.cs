using System.Globalization;
using System.Text;

namespace CodeAssist.Tests.Fuzz;

/// <summary>
/// Frames: valid requests in frames that are either variants the server accepts (LF-only line ends, other spellings of
/// the header, a Content-Type, blank lines or junk before the header, a frame dripped a few bytes at a time) or broken
/// ones (header bytes flipped, inserted or deleted, a wrong length, a duplicate header, a truncated body, a bad charset).
/// </summary>
/// <remarks>
/// What the server can promise, and so what is required here. It reads a frame by its declared length and
/// resynchronises at the next <c>Content-Length</c> header; a broken frame can therefore take bytes after it — a length
/// longer than its body, or a header whose end was deleted, reaches into the next frame. So: (1) a request in a frame
/// the server accepts must be answered with its id; (2) a request in a broken frame may be answered or not (an answer
/// must carry an id that was sent); (3) after a broken frame the fuzzer sends a filler notification longer than
/// anything the broken frame can reach (its bytes plus the largest number in its header) and then a resync request,
/// which must be answered — nothing the server could not know is required, and nothing after the filler may be lost.
/// A declared length between the filler bound and the 64 MiB limit is not generated: the server would rightly wait
/// for that many bytes. Lengths over the limit are refused without waiting, and are generated.
/// </remarks>
internal static class FrameFuzzer
{
    private const int MaxFillerReach = 20_000;
    private const int MessageLimit = 64 * 1024 * 1024;

    private static readonly string[] BrokenKinds =
    [
        "flip", "insert", "delete", "shorter", "longer", "duplicate-length", "length-zero", "length-negative", "length-text",
        "length-over-limit", "length-beyond-int", "truncated-body", "charset-utf16", "no-content-length", "body-flip", "long-header",
    ];

    private static readonly string[] ValidKinds =
    [
        "plain", "lf-only", "lowercase", "no-space", "spaces", "content-type-after", "content-type-before", "blank-lines-before",
        "junk-before", "dripped", "two-in-one-write", "unknown-header",
    ];

    public static async Task RunAsync(FuzzContext context, FamilyReport report, int count)
    {
        var random = context.RandomFor("frames");
        var ids = new FuzzIds(1);
        var brokenCount = 0;
        for (var i = 0; i < count; i++)
        {
            var server = await context.ServerAsync();
            report.Inputs++;
            var broken = random.Next(100) < 45;
            var kind = broken ? BrokenKinds[random.Next(BrokenKinds.Length)] : ValidKinds[random.Next(ValidKinds.Length)];
            var (id, body) = Request(random, ids);
            if (!broken)
            {
                server.Require(id, $"frame {i} ({kind})");
                var bytes = Valid(kind, body, random, ids, server);
                _ = kind == "dripped" ? await server.SendDrippedAsync(bytes, random) : await server.SendRawAsync(bytes);
            }
            else
            {
                brokenCount++;
                var (bytes, reach) = Broken(kind, body, random);
                foreach (var possible in FuzzIds.Possible(id, bytes))
                {
                    server.Sent(possible);
                }

                await server.SendRawAsync(bytes);
                await server.SendRawAsync(Filler(reach));
                var (resyncId, resync) = Request(random, ids);
                server.Require(resyncId, $"the resync after frame {i} ({kind})");
                await server.SendRawAsync(FuzzServer.Frame(resync));
            }

            if ((i + 1) % 60 == 0 || i == count - 1)
            {
                await context.CheckpointAsync(report, $"frame {i} (seed {context.Seed})");
            }
        }

        report.Notes.Add($"{count - brokenCount} frames the server accepts (answers required), {brokenCount} broken ones (each followed by a filler and a resync request, answer required)");
    }

    /// <summary>A cheap request with a fresh id: stats, a method the server does not have, or the model list.</summary>
    private static (string Id, byte[] Body) Request(Random random, FuzzIds ids)
    {
        var id = random.Next(4) == 0 ? $"\"f-{ids.Next()}\"" : JsonInt(ids.Next());
        var json = random.Next(3) switch
        {
            0 => JsonText.Fill("""{"jsonrpc":"2.0","id":@0,"method":"codeAssist/stats"}""", id),
            1 => JsonText.Fill("""{"jsonrpc":"2.0","id":@0,"method":"textDocument/hover","params":{"textDocument":{"uri":"file:///fuzz/a.py"},"position":{"line":0,"character":0}}}""", id),
            _ => JsonText.Fill("""{"jsonrpc":"2.0","id":@0,"method":"workspace/executeCommand","params":{"command":"codeAssist.listModels","arguments":[{"tier":"local"}]}}""", id),
        };
        return (id, Encoding.UTF8.GetBytes(json));
    }

    private static byte[] Valid(string kind, byte[] body, Random random, FuzzIds ids, FuzzServer server)
    {
        var n = body.Length.ToString(CultureInfo.InvariantCulture);
        string header = kind switch
        {
            "lf-only" => $"Content-Length: {n}\n\n",
            "lowercase" => $"content-length: {n}\r\n\r\n",
            "no-space" => $"Content-Length:{n}\r\n\r\n",
            "spaces" => $"Content-Length:   {n}  \r\n\r\n",
            "content-type-after" => $"Content-Length: {n}\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n",
            "content-type-before" => $"Content-Type: application/vscode-jsonrpc; charset=utf8\r\nContent-Length: {n}\r\n\r\n",
            "blank-lines-before" => $"\r\n\n\r\n  \tContent-Length: {n}\r\n\r\n",
            "unknown-header" => $"X-Fuzz: {random.Next()}\r\nContent-Length: {n}\r\n\r\n",
            _ => $"Content-Length: {n}\r\n\r\n",
        };
        byte[] frame = [.. Encoding.ASCII.GetBytes(header), .. body];
        if (kind == "junk-before")
        {
            return [.. Junk(random), .. frame];
        }

        if (kind == "two-in-one-write")
        {
            var (second, secondBody) = Request(random, ids);
            server.Require(second, "the second frame of a two-frame write");
            return [.. frame, .. FuzzServer.Frame(secondBody)];
        }

        return frame;
    }

    /// <summary>A broken frame and how many bytes after its start the server may take as part of it.</summary>
    private static (byte[] Bytes, long Reach) Broken(string kind, byte[] body, Random random)
    {
        while (true)
        {
            var bytes = BrokenOnce(kind, body, random);
            var bodyBytes = kind == "truncated-body" ? bytes.Length - HeaderOf(body).Length : body.Length;
            var reach = Reach(bytes, bytes.Length - bodyBytes);
            if (reach is { } r)
            {
                return (bytes, r);
            }
        }
    }

    private static byte[] BrokenOnce(string kind, byte[] body, Random random)
    {
        var n = body.Length;
        var header = HeaderOf(body);
        byte[] WithHeader(string text) => [.. Encoding.ASCII.GetBytes(text), .. body];
        switch (kind)
        {
            case "flip":
                {
                    var copy = header.ToArray();
                    for (var k = 1 + random.Next(3); k > 0; k--)
                    {
                        copy[random.Next(copy.Length)] = (byte)random.Next(256);
                    }

                    return [.. copy, .. body];
                }

            case "insert":
                {
                    var list = header.ToList();
                    for (var k = 1 + random.Next(3); k > 0; k--)
                    {
                        list.Insert(random.Next(list.Count + 1), (byte)random.Next(256));
                    }

                    return [.. list, .. body];
                }

            case "delete":
                {
                    var list = header.ToList();
                    for (var k = 1 + random.Next(3); k > 0 && list.Count > 0; k--)
                    {
                        list.RemoveAt(random.Next(list.Count));
                    }

                    return [.. list, .. body];
                }

            case "shorter":
                return WithHeader(string.Create(CultureInfo.InvariantCulture, $"Content-Length: {Math.Max(1, n - 1 - random.Next(40))}\r\n\r\n"));
            case "longer":
                return WithHeader(string.Create(CultureInfo.InvariantCulture, $"Content-Length: {n + 1 + random.Next(40)}\r\n\r\n"));
            case "duplicate-length":
                return WithHeader(string.Create(CultureInfo.InvariantCulture, $"Content-Length: {n}\r\nContent-Length: {(random.Next(2) == 0 ? n : n + random.Next(-5, 6))}\r\n\r\n"));
            case "length-zero":
                return WithHeader("Content-Length: 0\r\n\r\n");
            case "length-negative":
                return WithHeader(string.Create(CultureInfo.InvariantCulture, $"Content-Length: -{n}\r\n\r\n"));
            case "length-text":
                return WithHeader("Content-Length: twelve\r\n\r\n");
            case "length-over-limit":
                return WithHeader(string.Create(CultureInfo.InvariantCulture, $"Content-Length: {MessageLimit + 1 + random.Next(1000)}\r\n\r\n"));
            case "length-beyond-int":
                return WithHeader("Content-Length: 99999999999999999999\r\n\r\n");
            case "truncated-body":
                return [.. header, .. body[..random.Next(n)]];
            case "charset-utf16":
                return WithHeader(string.Create(CultureInfo.InvariantCulture, $"Content-Length: {n}\r\nContent-Type: application/vscode-jsonrpc; charset=utf-16\r\n\r\n"));
            case "no-content-length":
                return WithHeader("Content-Type: application/vscode-jsonrpc\r\n\r\n");
            case "long-header":
                return WithHeader(string.Create(CultureInfo.InvariantCulture, $"X-Padding: {new string('a', 9000 + random.Next(3000))}\r\nContent-Length: {n}\r\n\r\n"));
            default:
                {
                    var copy = body.ToArray();
                    for (var k = 1 + random.Next(4); k > 0; k--)
                    {
                        copy[random.Next(copy.Length)] = (byte)random.Next(256);
                    }

                    return [.. header, .. copy];
                }
        }
    }

    private static byte[] HeaderOf(byte[] body) =>
        Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n\r\n"));

    /// <summary>
    /// How far past its start a broken frame can reach: its own bytes plus the largest number in its header bytes (the
    /// body length the server may read, wherever the header ends: a length is the digits after a colon up to a line
    /// end, and the bodies here start with '{', so only digits among the header bytes can be one). Null when that
    /// number is over the filler bound but under the message limit: the server would wait for that many bytes, so
    /// such a frame is drawn again.
    /// </summary>
    private static long? Reach(byte[] frame, int headerBytes)
    {
        var text = Encoding.Latin1.GetString(frame, 0, headerBytes);
        long largest = 0;
        var digits = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                digits++;
                continue;
            }

            if (digits > 0)
            {
                var value = digits > 18 ? long.MaxValue : long.Parse(text.AsSpan(i - digits, digits), CultureInfo.InvariantCulture);
                if (value > MaxFillerReach && value <= MessageLimit)
                {
                    return null;
                }

                if (value <= MaxFillerReach)
                {
                    largest = Math.Max(largest, value);
                }
            }

            digits = 0;
        }

        return frame.Length + largest;
    }

    /// <summary>A notification for a method nobody has, longer than <paramref name="reach"/>; the server ignores it.</summary>
    private static byte[] Filler(long reach)
    {
        var pad = new string('p', (int)Math.Min(reach + 64, MaxFillerReach * 2L));
        return FuzzServer.Frame(JsonText.Fill("""{"jsonrpc":"2.0","method":"$/fuzz/filler","params":{"pad":"@0"}}""", pad));
    }

    /// <summary>Bytes that are no message: random, but never a header the server could take for a frame's.</summary>
    private static byte[] Junk(Random random)
    {
        while (true)
        {
            var junk = new byte[1 + random.Next(200)];
            random.NextBytes(junk);
            var text = Encoding.Latin1.GetString(junk);
            if (!text.Contains("content-", StringComparison.OrdinalIgnoreCase) && !text.Contains("charset", StringComparison.OrdinalIgnoreCase))
            {
                return junk;
            }
        }
    }

    private static string JsonInt(long value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Fresh request ids for one family, in a range of its own (family 1: 1 000 000 and up, and so on).</summary>
internal sealed class FuzzIds(int family)
{
    private long _next = family * 1_000_000L;

    public long Next() => ++_next;

    /// <summary>
    /// The ids an answer to a broken message may carry: the id as sent, each prefix of a numeric one (a cut body can end
    /// inside the number, and the reader takes what is there), and whatever the mutated bytes now hold after "id":.
    /// </summary>
    public static IEnumerable<string> Possible(string id, byte[] bytes)
    {
        yield return id;
        if (id.All(char.IsAsciiDigit))
        {
            for (var length = 1; length < id.Length; length++)
            {
                yield return id[..length];
            }
        }

        var match = System.Text.RegularExpressions.Regex.Match(Encoding.Latin1.GetString(bytes), "\"id\"\\s*:\\s*(-?[0-9]+|\"[ -~]*?\")");
        if (match.Success)
        {
            yield return match.Groups[1].Value;
        }
    }
}

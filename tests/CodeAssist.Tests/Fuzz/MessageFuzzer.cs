using System.Text;

namespace CodeAssist.Tests.Fuzz;

/// <summary>
/// Messages: well-formed frames whose JSON-RPC content is random or wrong — random params for declared and unknown
/// methods, ids of every JSON type, a method that is not a string, a wrong or missing <c>jsonrpc</c>, deep nesting,
/// megabyte strings, bodies that are not JSON or not UTF-8, batches, scalars, responses sent to the server, duplicate
/// keys. A request whose id is an integer or a string must be answered with that id (a body that is not JSON, whose id
/// may be cut, excepted); one whose id is of another type must be answered with id null (counted: the server cannot echo
/// what it cannot read); <c>"id": null</c> is not counted, since StreamJsonRpc takes it for a notification; a response
/// sent to the server must not be answered.
/// </summary>
internal static class MessageFuzzer
{
    private static readonly string[] UnreadableIds = ["1.5", "true", "false", "[]", "[1]", "{}", "{\"id\":1}", "1e3", "9223372036854775808", "-9223372036854775809"];

    private static readonly string[] BadMethods = ["42", "null", "true", "[]", "{}", "\"\"", "\"codeAssist/\"", "\"$/\"", "\"textDocument/inlineCompletion \"", "\"TEXTDOCUMENT/INLINECOMPLETION\""];

    private static readonly string[] BadVersions = ["\"1.0\"", "2.0", "null", "\"\"", "\"2.0 \"", "[\"2.0\"]"];

    /// <summary>The methods a random message is sent to: every declared one but exit and shutdown, and some nobody has.</summary>
    public static IReadOnlyList<string> Methods { get; } =
        [.. FuzzMethods.Declared.Where(m => !FuzzMethods.SessionEnding.Contains(m)), "textDocument/hover", "codeAssist/nothing", "$/fuzz", ""];

    public static async Task RunAsync(FuzzContext context, FamilyReport report, int count)
    {
        var random = context.RandomFor("messages");
        var ids = new FuzzIds(2);
        var unreadable = 0;
        var requiredCount = 0;
        var responses = 0;
        var restarts = context.Restarts;
        var nullAnswersBefore = (await context.ServerAsync()).NullIdAnswers;
        for (var i = 0; i < count; i++)
        {
            var server = await context.ServerAsync();
            report.Inputs++;
            var id = JsonInt(ids.Next());
            var method = "\"" + Methods[random.Next(Methods.Count)] + "\"";
            var kind = random.Next(15);
            string? required = id;
            string body;
            switch (kind)
            {
                case 0:
                case 1:
                    body = JsonText.Fill("""{"jsonrpc":"2.0","id":@0,"method":@1,"params":@2}""", id, method, RandomJson.Object(random));
                    break;
                case 2:
                    body = JsonText.Fill("""{"jsonrpc":"2.0","method":@0,"params":@1}""", method, RandomJson.Value(random));
                    required = null;
                    break;
                case 3:
                    (id, required) = RandomId(random, ids);
                    if (required is null && id != "null")
                    {
                        unreadable++;
                    }

                    body = JsonText.Fill("""{"jsonrpc":"2.0","id":@0,"method":"codeAssist/stats"}""", id);
                    break;
                case 4:
                    body = JsonText.Fill("""{"jsonrpc":"2.0","id":@0,"method":@1,"params":{}}""", id, BadMethods[random.Next(BadMethods.Length)]);
                    break;
                case 5:
                    body = random.Next(4) == 0
                        ? JsonText.Fill("""{"id":@0,"method":"codeAssist/stats"}""", id)
                        : JsonText.Fill("""{"jsonrpc":@0,"id":@1,"method":"codeAssist/stats"}""", BadVersions[random.Next(BadVersions.Length)], id);
                    break;
                case 6:
                    body = JsonText.Fill("""{"jsonrpc":"2.0","id":@0,"method":@1,"params":{"x":@2}}""", id, method, RandomJson.Nested(10 + random.Next(110)));
                    break;
                case 7:
                    // A megabyte, a few times per run: a document's text, or a string where a uri goes.
                    if (random.Next(20) == 0)
                    {
                        body = random.Next(2) == 0
                            ? JsonText.Fill("""{"jsonrpc":"2.0","id":@0,"method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///fuzz/big.py","languageId":"python","version":1,"text":@1}}}""", id, RandomJson.LongString(random, 1 << 20))
                            : JsonText.Fill("""{"jsonrpc":"2.0","id":@0,"method":"textDocument/completion","params":{"textDocument":{"uri":@1},"position":{"line":0,"character":0}}}""", id, RandomJson.LongString(random, 1 << 20));
                    }
                    else
                    {
                        body = JsonText.Fill("""{"jsonrpc":"2.0","id":@0,"method":@1,"params":{"text":@2}}""", id, method, RandomJson.LongString(random, 2000 + random.Next(20_000)));
                    }

                    break;
                case 8:
                    {
                        // Not JSON: a valid message cut short, or with a byte changed. The id may be cut or changed.
                        var whole = JsonText.Fill("""{"jsonrpc":"2.0","id":@0,"method":@1,"params":@2}""", id, method, RandomJson.Object(random));
                        var bytes = Encoding.UTF8.GetBytes(whole);
                        if (random.Next(2) == 0)
                        {
                            bytes = bytes[..random.Next(1, bytes.Length)];
                        }
                        else
                        {
                            bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                        }

                        foreach (var possible in FuzzIds.Possible(id, bytes))
                        {
                            server.Sent(possible);
                        }

                        await server.SendRawAsync(FuzzServer.Frame(bytes));
                        continue;
                    }

                case 9:
                    {
                        // Bytes that are not UTF-8 inside a string, after the id.
                        byte[] bytes = [.. Encoding.UTF8.GetBytes(JsonText.Fill("""{"jsonrpc":"2.0","id":@0,"method":"codeAssist/stats","params":{"x":" """, id)), 0xC3, 0x28, 0xFF, 0xED, 0xA0, 0x80, .. "\"}}"u8];
                        server.Sent(id);
                        await server.SendRawAsync(FuzzServer.Frame(bytes));
                        continue;
                    }

                case 10:
                    body = random.Next(4) switch
                    {
                        0 => JsonText.Fill("""[{"jsonrpc":"2.0","id":@0,"method":"codeAssist/stats"}]""", id),
                        1 => RandomJson.Number(random),
                        2 => RandomJson.String(random),
                        _ => "{}",
                    };
                    server.Sent(id);
                    required = null;
                    break;
                case 11:
                    body = random.Next(2) == 0
                        ? JsonText.Fill("""{"jsonrpc":"2.0","id":@0,"result":@1}""", id, RandomJson.Value(random))
                        : JsonText.Fill("""{"jsonrpc":"2.0","id":@0,"error":{"code":-32603,"message":"client error"}}""", id);
                    server.Sent(id);
                    server.MustNotAnswer(id);
                    responses++;
                    required = null;
                    break;
                case 12:
                    {
                        var other = JsonInt(ids.Next());
                        body = JsonText.Fill("""{"jsonrpc":"2.0","id":@0,"method":"codeAssist/stats","id":@1}""", id, other);
                        server.Sent(id);
                        server.Sent(other);
                        required = null;
                        break;
                    }

                case 13:
                    body = JsonText.Fill("""{"jsonrpc":"2.0","id":@0,"method":@1,"params":[@2,@3],"extra":@4}""", id, method, RandomJson.Value(random), RandomJson.Value(random), RandomJson.Value(random));
                    break;
                default:
                    body = JsonText.Fill("""{"method":@0,"params":@1,"id":@2,"jsonrpc":"2.0"}""", method, RandomJson.Object(random), id);
                    break;
            }

            if (required is not null)
            {
                server.Require(required, $"message {i} (kind {kind}, method {method})");
                requiredCount++;
            }

            await server.SendRawAsync(FuzzServer.Frame(body));
            if ((i + 1) % 60 == 0 || i == count - 1)
            {
                await context.CheckpointAsync(report, $"message {i} (seed {context.Seed})");
            }
        }

        report.Notes.Add($"{requiredCount} requests whose answer was required, {unreadable} with an id the server cannot read (answered with id null), {responses} responses sent to the server");

        // Counted over the family's own server: a restart starts the count again, and its death is already a failure.
        var nullAnswers = (await context.ServerAsync()).NullIdAnswers - nullAnswersBefore;
        if (context.Restarts == restarts && nullAnswers < unreadable)
        {
            report.Failures.Add($"{unreadable} requests had ids the server cannot read, but only {nullAnswers} answers with id null came");
        }
    }

    /// <summary>An id of a random JSON type; the second value is the id when the server can echo it, else null.</summary>
    private static (string Id, string? Readable) RandomId(Random random, FuzzIds ids)
    {
        var next = ids.Next();
        switch (random.Next(8))
        {
            case 0:
                return (JsonInt(-next), JsonInt(-next));
            case 1:
                // The extremes of a 64-bit id, made unique by the family's range.
                var extreme = random.Next(2) == 0 ? long.MaxValue - next : long.MinValue + next;
                return (JsonInt(extreme), JsonInt(extreme));
            case 2:
                return ($"\"\\u00e9\\ud83d\\ude00-{next}\"", $"\"\\u00e9\\ud83d\\ude00-{next}\"");
            case 3:
                var text = $"\"{new string('i', 5000)}{next}\"";
                return (text, text);
            case 4:
                return ($"\"{next}\"", $"\"{next}\"");
            case 5:
                return ("null", null);
            default:
                return (UnreadableIds[random.Next(UnreadableIds.Length)], null);
        }
    }

    private static string JsonInt(long value) => RandomJson.Int(value);
}

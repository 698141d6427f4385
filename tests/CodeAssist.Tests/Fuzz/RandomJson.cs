using System.Globalization;
using System.Text;

namespace CodeAssist.Tests.Fuzz;

/// <summary>
/// Random JSON written as text by hand, so that it can hold what a serializer would refuse to write: lone surrogates
/// (as \u escapes), numbers beyond every integer and float range, NUL characters. Keys lean toward LSP's field names so
/// that random values land where the server reads them. Nothing generated contains the text <c>Content-Length</c>, so a
/// body never looks like a frame header to the server's resynchronisation.
/// </summary>
internal static class RandomJson
{
    private static readonly string[] Keys =
    [
        "textDocument", "uri", "position", "line", "character", "context", "triggerKind", "range", "start", "end", "text",
        "contentChanges", "version", "languageId", "command", "arguments", "diagnostics", "title", "data", "items", "id",
        "value", "token", "settings", "processId", "capabilities", "tier", "kind", "message", "action", "only",
        "selectedCompletionInfo", "workDoneToken", "x", "", "é", "\\u0000", "__proto__",
    ];

    private static readonly string[] Strings =
    [
        "", "x", "file:///fuzz/messages.py", "file:///", "untitled:Untitled-1", "python", "local", "fallback", "\\ud83d\\ude00",
        "\\ud800", "\\udfff", "\\u0000", "\\n\\r\\t", "é中文", "C:\\\\fuzz\\\\a.py", "../../etc/passwd", "2.0", "null", "{}",
        "codeAssist.listModels", "refactor.rewrite", "implementFunction",
    ];

    private static readonly string[] Numbers =
    [
        "0", "-0", "1", "-1", "2", "7", "2147483647", "2147483648", "-2147483649", "4294967296", "9223372036854775807",
        "9223372036854775808", "-9223372036854775809", "1e308", "-1e308", "1E400", "1.5", "-0.0", "1e-320", "0.1", "100000000000000000000000000000",
    ];

    // Whole pieces only, so that an escape is never cut in two.
    private static readonly string[] Pieces = ["def", " ", "f(x):", "\\n", "    ", "return", "ünïcode", "😀", "\\t", "x", "\\\"", "中"];

    /// <summary>A random value nested at most <paramref name="depth"/> levels.</summary>
    public static string Value(Random random, int depth = 4)
    {
        var builder = new StringBuilder();
        WriteValue(builder, random, depth);
        return builder.ToString();
    }

    /// <summary>A random object (params are usually objects, and an object reaches deeper into a handler).</summary>
    public static string Object(Random random, int depth = 4)
    {
        var builder = new StringBuilder();
        WriteObject(builder, random, depth);
        return builder.ToString();
    }

    /// <summary>A JSON string literal of random content from the pool.</summary>
    public static string String(Random random) => "\"" + Strings[random.Next(Strings.Length)] + "\"";

    /// <summary>A JSON number literal from the pool of edge values.</summary>
    public static string Number(Random random) => Numbers[random.Next(Numbers.Length)];

    /// <summary>Text nested <paramref name="depth"/> levels deep (arrays and objects alternating).</summary>
    public static string Nested(int depth)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < depth; i++)
        {
            builder.Append(i % 2 == 0 ? "[" : "{\"a\":");
        }

        builder.Append('0');
        for (var i = depth - 1; i >= 0; i--)
        {
            builder.Append(i % 2 == 0 ? ']' : '}');
        }

        return builder.ToString();
    }

    /// <summary>A JSON string literal of about <paramref name="length"/> characters, mixing ASCII, escapes and astral characters.</summary>
    public static string LongString(Random random, int length)
    {
        var builder = new StringBuilder(length + 16);
        builder.Append('"');
        while (builder.Length < length)
        {
            builder.Append(Pieces[random.Next(Pieces.Length)]);
        }

        return builder.Append('"').ToString();
    }

    private static void WriteValue(StringBuilder builder, Random random, int depth)
    {
        switch (depth <= 0 ? random.Next(5) : random.Next(8))
        {
            case 0:
                builder.Append("null");
                break;
            case 1:
                builder.Append(random.Next(2) == 0 ? "true" : "false");
                break;
            case 2:
                builder.Append(Number(random));
                break;
            case 3:
            case 4:
                builder.Append(String(random));
                break;
            case 5:
                builder.Append('[');
                var count = random.Next(4);
                for (var i = 0; i < count; i++)
                {
                    if (i > 0)
                    {
                        builder.Append(',');
                    }

                    WriteValue(builder, random, depth - 1);
                }

                builder.Append(']');
                break;
            default:
                WriteObject(builder, random, depth - 1);
                break;
        }
    }

    private static void WriteObject(StringBuilder builder, Random random, int depth)
    {
        builder.Append('{');
        var count = random.Next(5);
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
            {
                builder.Append(',');
            }

            builder.Append('"').Append(Keys[random.Next(Keys.Length)]).Append("\":");
            WriteValue(builder, random, depth);
        }

        builder.Append('}');
    }

    /// <summary>An integer as JSON text.</summary>
    public static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>JSON text from a template: <c>@0</c> … <c>@9</c> are replaced, in one pass, by the values (invariant culture).</summary>
internal static class JsonText
{
    public static string Fill(string template, params object[] values) =>
        System.Text.RegularExpressions.Regex.Replace(template, "@([0-9])", match => Convert.ToString(values[match.Groups[1].Value[0] - '0'], CultureInfo.InvariantCulture)!);
}

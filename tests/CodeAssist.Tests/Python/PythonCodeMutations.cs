using System.Text;
using CodeAssist.Server.Python;

namespace CodeAssist.Tests.Python;

/// <summary>The small edits the parser's agreement with CPython is measured on.</summary>
internal enum PythonCodeMutation
{
    /// <summary>A token removed (with the spaces after it when it starts its line, so the line keeps its indentation).</summary>
    DeleteToken,

    /// <summary>A token written twice: "x = = 1".</summary>
    DuplicateToken,

    /// <summary>")" inserted after a token.</summary>
    InsertParenthesis,

    /// <summary>":" inserted after a token.</summary>
    InsertColon,

    /// <summary>" as x" inserted after a token, as in "print(path) as handle:".</summary>
    InsertAs,

    /// <summary>A line cut somewhere in its middle; the lines after it stay.</summary>
    TruncateLine,

    /// <summary>The text cut somewhere, as a text that ends at the cursor is.</summary>
    CutText,
}

/// <summary>Applies a <see cref="PythonCodeMutation"/> at a place a seeded <see cref="Random"/> picks.</summary>
internal static class PythonCodeMutations
{
    public static IReadOnlyList<PythonCodeMutation> All { get; } = Enum.GetValues<PythonCodeMutation>();

    /// <summary>The mutated text, or null when the text has no place for this mutation.</summary>
    public static string? Apply(string text, PythonCodeMutation mutation, Random random)
    {
        switch (mutation)
        {
            case PythonCodeMutation.TruncateLine:
                return TruncateLine(text, random);
            case PythonCodeMutation.CutText:
                return text.Length < 2 ? null : text[..random.Next(1, text.Length)];
        }

        var tokens = PythonTokenizer.Tokenize(text, fragment: false).Tokens
            .Where(token => token.Length > 0 && token.Kind is not (PythonTokenKind.Newline or PythonTokenKind.Error))
            .ToList();
        if (tokens.Count == 0)
        {
            return null;
        }

        var token = tokens[random.Next(tokens.Count)];
        string tokenText = text.Substring(token.Start, token.Length);
        return mutation switch
        {
            PythonCodeMutation.DeleteToken => Delete(text, token.Start, token.End),
            PythonCodeMutation.DuplicateToken => text.Insert(token.End, " " + tokenText),
            PythonCodeMutation.InsertParenthesis => text.Insert(token.End, ")"),
            PythonCodeMutation.InsertColon => text.Insert(token.End, ":"),
            _ => text.Insert(token.End, " as x"),
        };
    }

    private static string Delete(string text, int start, int end)
    {
        int lineStart = text.LastIndexOfAny(['\n', '\r'], Math.Max(start - 1, 0)) + 1;
        if (start == 0 || text.AsSpan(lineStart, start - lineStart).IsWhiteSpace())
        {
            while (end < text.Length && text[end] is ' ' or '\t')
            {
                end++;
            }
        }

        return new StringBuilder(text).Remove(start, end - start).ToString();
    }

    private static string? TruncateLine(string text, Random random)
    {
        var lines = PythonLexer.Lex(text).Lines.Where(line => line.Length >= 2 && !line.IsBlank).ToList();
        if (lines.Count == 0)
        {
            return null;
        }

        var line = lines[random.Next(lines.Count)];
        int cut = line.Start + random.Next(1, line.Length);
        return text[..cut] + text[line.End..];
    }
}

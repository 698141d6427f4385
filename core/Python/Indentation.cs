namespace CodeAssist.Server.Python;

/// <summary>Measuring Python indentation the way the interpreter does.</summary>
/// <remarks>
/// A tab advances to the next multiple of 8 columns and a form feed resets the column, as in CPython's tokenizer.
/// Comparing widths is therefore exact for files that use one style, and matches Python's reading of mixed ones.
/// </remarks>
public static class Indentation
{
    /// <summary>The column a tab advances to a multiple of.</summary>
    public const int TabWidth = 8;

    /// <summary>The leading spaces, tabs and form feeds of a line.</summary>
    public static ReadOnlySpan<char> Leading(ReadOnlySpan<char> line)
    {
        int i = 0;
        while (i < line.Length && IsIndentChar(line[i]))
        {
            i++;
        }

        return line[..i];
    }

    /// <summary>The leading whitespace of a line, as a string.</summary>
    public static string LeadingText(string line) => line[..Leading(line).Length];

    /// <summary>The width in columns of a line's leading whitespace.</summary>
    public static int Width(ReadOnlySpan<char> line) => Columns(Leading(line));

    /// <summary>The column reached after <paramref name="text"/> from column 0 (tabs to multiples of 8, any other character one column).</summary>
    public static int Columns(ReadOnlySpan<char> text)
    {
        int column = 0;
        foreach (char c in text)
        {
            column = c switch
            {
                '\t' => ((column / TabWidth) + 1) * TabWidth,
                '\f' => 0,
                _ => column + 1,
            };
        }

        return column;
    }

    /// <summary>Whether a line has only whitespace.</summary>
    public static bool IsBlank(ReadOnlySpan<char> line) => line.Trim().IsEmpty;

    /// <summary>Whether <paramref name="c"/> can be part of indentation.</summary>
    public static bool IsIndentChar(char c) => c is ' ' or '\t' or '\f';
}

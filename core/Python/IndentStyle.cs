namespace CodeAssist.Server.Python;

/// <summary>How a file indents one level: a tab, or some number of spaces.</summary>
public sealed record IndentStyle
{
    private IndentStyle(bool useTabs, int size)
    {
        UseTabs = useTabs;
        Size = size;
        Unit = useTabs ? "\t" : new string(' ', size);
    }

    /// <summary>Four spaces, PEP 8's choice and the default when a file says nothing.</summary>
    public static IndentStyle Default { get; } = new(false, 4);

    /// <summary>One tab per level.</summary>
    public static IndentStyle Tabs { get; } = new(true, 1);

    /// <summary>True for tabs, false for spaces.</summary>
    public bool UseTabs { get; }

    /// <summary>Spaces per level; 1 (one tab) for tabs.</summary>
    public int Size { get; }

    /// <summary>The whitespace of one level.</summary>
    public string Unit { get; }

    /// <summary>The width of one level in columns (a tab counts 8, as Python measures it).</summary>
    public int UnitWidth => UseTabs ? Indentation.TabWidth : Size;

    /// <summary><paramref name="size"/> spaces per level.</summary>
    public static IndentStyle Spaces(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        return size == 4 ? Default : new IndentStyle(false, size);
    }

    /// <summary>The whitespace of <paramref name="levels"/> levels.</summary>
    public string Render(int levels) => levels <= 0 ? string.Empty : UseTabs ? new string('\t', levels) : new string(' ', levels * Size);

    /// <summary>Guesses a file's style from the lines that indent deeper than the statement before them; <see cref="Default"/> when nothing indents.</summary>
    /// <remarks>Each deeper line votes: for tabs if its indentation has one, else for the number of spaces it adds. Lines inside strings and brackets do not vote, since their indentation is free.</remarks>
    public static IndentStyle Detect(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        PythonLexResult lexed = PythonLexer.Lex(text);
        Span<int> spaceVotes = stackalloc int[9];
        int tabVotes = 0;
        int previousWidth = 0;
        bool previousHasTabs = false;
        foreach (PythonLine line in lexed.Lines)
        {
            if (!line.IsCode || !line.StartsLogicalLine)
            {
                continue;
            }

            ReadOnlySpan<char> leading = Indentation.Leading(text.AsSpan(line.Start, line.Length));
            int width = Indentation.Columns(leading);
            bool hasTabs = leading.Contains('\t');
            if (width > previousWidth)
            {
                if (hasTabs)
                {
                    tabVotes++;
                }
                else if (!previousHasTabs && width - previousWidth <= 8)
                {
                    spaceVotes[width - previousWidth]++;
                }
            }

            previousWidth = width;
            previousHasTabs = hasTabs;
        }

        // Ties go to the smaller step.
        int best = 0;
        for (int size = 1; size < spaceVotes.Length; size++)
        {
            if (spaceVotes[size] > spaceVotes[best])
            {
                best = size;
            }
        }

        if (tabVotes > 0 && tabVotes >= spaceVotes[best])
        {
            return Tabs;
        }

        return best == 0 ? Default : Spaces(best);
    }
}

using CodeAssist.Server.Python;

namespace CodeAssist.Server.Completion;

/// <summary>When to stop generating early, because the post-processor would cut the rest anyway.</summary>
public static class StopConditions
{
    /// <summary>
    /// True when <paramref name="generated"/> already holds all the post-processor will keep: a finished
    /// line in single-line mode; more lines than allowed, or a finished line that dedents out of the
    /// cursor's block, in multi-line mode.
    /// </summary>
    /// <param name="generated">The text generated so far, from the cursor.</param>
    /// <param name="multiline">Whether the completion may span lines.</param>
    /// <param name="maxLines">The most lines a multi-line completion keeps.</param>
    /// <param name="blockIndent">The width of the cursor's block's indentation.</param>
    /// <param name="cursorState">The lexer's state at the cursor. Given, a single line that ends with brackets open
    /// goes on while the next lines hold only closing brackets (and a header's colon), which the post-processor joins
    /// to it (<see cref="PostProcessor.JoinClosingLines"/>): a model that closes <c>print(x</c> on the line after
    /// writes <c>print(x)</c>, not an open call.</param>
    public static bool ShouldStop(string generated, bool multiline, int maxLines, int blockIndent, PythonLexState? cursorState = null)
    {
        var firstBreak = generated.IndexOf('\n');
        if (firstBreak < 0)
        {
            return false;
        }

        if (!multiline)
        {
            return cursorState is null || !ClosingLinesMayFollow(generated, firstBreak, cursorState);
        }

        var lines = generated.Split('\n');
        if (lines.Length > maxLines)
        {
            return true;
        }

        // Lines after the first: a complete non-blank line indented less than the block has left it.
        for (var i = 1; i < lines.Length - 1; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Trim().Length == 0)
            {
                continue;
            }

            if (Python.Indentation.Width(line) < blockIndent)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether what follows the first line so far is only closing brackets, a colon and white space, with no
    /// further line ended after them, and the first line left brackets open that such lines may close.
    /// </summary>
    private static bool ClosingLinesMayFollow(string generated, int firstBreak, PythonLexState cursorState)
    {
        var rest = generated.AsSpan(firstBreak + 1);
        var content = false;
        for (var i = 0; i < rest.Length; i++)
        {
            var c = rest[i];
            if (c is ')' or ']' or '}' or ':')
            {
                content = true;
            }
            else if (c == '\n' && content)
            {
                return false;
            }
            else if (c is not (' ' or '\t' or '\r' or '\n'))
            {
                return false;
            }
        }

        return rest.Length < 64 && PostProcessor.OpenBracketsToClose(generated.AsSpan(0, firstBreak), cursorState) is not null;
    }
}

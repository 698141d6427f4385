namespace CodeAssist.Server.Completion;

/// <summary>When to stop generating early, because the post-processor would cut the rest anyway.</summary>
public static class StopConditions
{
    /// <summary>
    /// True when <paramref name="generated"/> already holds all the post-processor will keep: a finished
    /// line in single-line mode; more lines than allowed, or a finished line that dedents out of the
    /// cursor's block, in multi-line mode.
    /// </summary>
    public static bool ShouldStop(string generated, bool multiline, int maxLines, int blockIndent)
    {
        var firstBreak = generated.IndexOf('\n');
        if (firstBreak < 0)
        {
            return false;
        }

        if (!multiline)
        {
            return true;
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
}

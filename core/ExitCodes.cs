namespace CodeAssist.Server;

/// <summary>The process exit codes every <c>codeassist</c> verb shares: 0 success, 1 failure (one line on stderr), 2 usage.</summary>
public static class ExitCodes
{
    /// <summary>A command line that doesn't parse, or arguments out of range.</summary>
    public const int UsageError = 2;
}

namespace CodeAssist.Server.Logging;

/// <summary>Where CodeAssist writes its log files.</summary>
public static class LogPaths
{
    /// <summary>
    /// The log folder: <c>$CODEASSIST_LOG_DIR</c> when set; otherwise the user's cache folder
    /// (<c>$XDG_CACHE_HOME/codeassist/logs</c> or <c>~/.cache/codeassist/logs</c> on Linux,
    /// <c>~/Library/Caches/CodeAssist/logs</c> on macOS, <c>%LOCALAPPDATA%\CodeAssist\logs</c> on Windows).
    /// </summary>
    public static string LogDirectory
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable("CODEASSIST_LOG_DIR");
            return string.IsNullOrWhiteSpace(configured) ? DefaultLogDirectory() : configured;
        }
    }

    /// <summary>
    /// The cache folder (what CodeAssist may forget, such as the verdicts of model checks): <c>$CODEASSIST_CACHE_DIR</c>
    /// when set; otherwise the folder above the default log folder (<c>~/.cache/codeassist</c> on Linux, …).
    /// </summary>
    public static string CacheDirectory
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable("CODEASSIST_CACHE_DIR");
            return string.IsNullOrWhiteSpace(configured) ? Path.GetDirectoryName(DefaultLogDirectory())! : configured;
        }
    }

    private static string DefaultLogDirectory()
    {
        if (OperatingSystem.IsWindows())
        {
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "CodeAssist", "logs");
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (OperatingSystem.IsMacOS())
        {
            return Path.Combine(home, "Library", "Caches", "CodeAssist", "logs");
        }

        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var cache = string.IsNullOrWhiteSpace(xdg) ? Path.Combine(home, ".cache") : xdg;
        return Path.Combine(cache, "codeassist", "logs");
    }

    /// <summary>The rolling file pattern; Serilog inserts the date before the extension.</summary>
    public static string LogFilePattern => Path.Combine(LogDirectory, "codeassist-.log");
}

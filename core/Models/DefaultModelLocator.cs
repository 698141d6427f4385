namespace CodeAssist.Server.Models;

/// <summary>Finds the model to use when the settings name none: the one CodeAssist ships.</summary>
public static class DefaultModelLocator
{
    /// <summary>The file name of the shipped default model.</summary>
    public const string DefaultModelFileName = "codeassist-py-tiny.gguf";

    /// <summary>
    /// Resolves the model path: the configured one (relative paths against the working directory), else
    /// <c>$CODEASSIST_MODEL</c>, else the shipped model in a <c>models/</c> folder beside the executable or in
    /// any folder above it (a published server carries it; a repository checkout has it at its root).
    /// Null when nothing is found.
    /// </summary>
    public static string? Resolve(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured);
        }

        var fromEnvironment = Environment.GetEnvironmentVariable("CODEASSIST_MODEL");
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return Path.GetFullPath(fromEnvironment);
        }

        return FindShipped(DefaultModelFileName);
    }

    /// <summary>Looks for a shipped model file in <c>models/</c> beside the executable or above it.</summary>
    public static string? FindShipped(string fileName)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "models", fileName);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}

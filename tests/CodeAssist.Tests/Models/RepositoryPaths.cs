using CodeAssist.Server.Models;

namespace CodeAssist.Tests.Models;

/// <summary>Where the repository, its shipped models and the training recipe are, seen from the test binaries.</summary>
public static class RepositoryPaths
{
    /// <summary>The file name every shipped model of ours matches.</summary>
    public const string ShippedModelPattern = "codeassist-py-*.gguf";

    private static readonly Lazy<string> RootFolder = new(FindRoot);

    /// <summary>The folder that holds CodeAssist.sln.</summary>
    public static string Root => RootFolder.Value;

    /// <summary>The recipe's reference tools (tokenizer, PyTorch logits, metadata).</summary>
    public static string Tools => Path.Combine(Root, "models", "train", "tools.py");

    /// <summary>The recipe's training script.</summary>
    public static string Train => Path.Combine(Root, "models", "train", "train.py");

    /// <summary>Unigram counts of the training corpus tokens, one "id TAB count" line per vocabulary id.</summary>
    public static string UnigramCounts => Path.Combine(Root, "models", "codeassist-unigram.tsv");

    /// <summary>The shipped default model (required to exist).</summary>
    public static string TinyModel =>
        DefaultModelLocator.FindShipped(DefaultModelLocator.DefaultModelFileName)
        ?? throw new FileNotFoundException($"models/{DefaultModelLocator.DefaultModelFileName} was not found above {AppContext.BaseDirectory}");

    /// <summary>File names of every shipped model of ours, sorted; the tiny one is always among them.</summary>
    public static IReadOnlyList<string> ShippedModelNames() =>
        Directory.GetFiles(Path.GetDirectoryName(TinyModel)!, ShippedModelPattern)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>The full path of a shipped model named by <see cref="ShippedModelNames"/>.</summary>
    public static string ShippedModel(string fileName) => Path.Combine(Path.GetDirectoryName(TinyModel)!, fileName);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CodeAssist.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no folder above {AppContext.BaseDirectory} contains CodeAssist.sln");
    }
}

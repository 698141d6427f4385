using System.Security.Cryptography;
using System.Text.Json;
using CodeAssist.Server.Models;
using CodeAssist.Tests.Gguf;

namespace CodeAssist.Tests.Models;

/// <summary>A catalog of one downloadable model whose address is a <see cref="ModelFileServer"/> on 127.0.0.1, and the GGUF it serves.</summary>
internal static class TestCatalog
{
    public const string Id = "test-coder";
    public const string File = "test-coder.gguf";

    /// <summary>The test model's GGUF (loads with llama.cpp): what the file server serves.</summary>
    public static byte[] ModelBytes() => System.IO.File.ReadAllBytes(TestModel.Get().Path);

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>The catalog entry, as <see cref="ModelCatalog.Load"/> reads it.</summary>
    public static CatalogEntry Entry(string url, long? sizeBytes, string? sha256 = null) => new()
    {
        Id = Id,
        File = File,
        Family = "generic",
        Fim = "psm",
        Parameters = 1000,
        SizeBytes = sizeBytes,
        License = "MIT",
        Url = url,
        Sha256 = sha256,
        Description = "A test model served on 127.0.0.1.",
    };

    /// <summary>Writes a catalog.json with the entry into <paramref name="folder"/>; returns its path.</summary>
    public static string Write(string folder, string url, long? sizeBytes, string? sha256 = null)
    {
        var path = Path.Combine(folder, "catalog.json");
        var models = new[]
        {
            new Dictionary<string, object?>
            {
                ["id"] = Id, ["file"] = File, ["shipped"] = false, ["family"] = "generic", ["fim"] = "psm", ["parameters"] = 1000,
                ["sizeBytes"] = sizeBytes, ["license"] = "MIT", ["url"] = url, ["sha256"] = sha256, ["description"] = "A test model served on 127.0.0.1.",
            },
        };
        System.IO.File.WriteAllText(path, JsonSerializer.Serialize(new Dictionary<string, object?> { ["version"] = 1, ["models"] = models }));
        return path;
    }
}

using System.Text.Json;
using CodeAssist.Server.Inference;
using CodeAssist.Server.Models;
using CodeAssist.Tests.Gguf;
using CodeAssist.Tests.Lsp;
using CodeAssist.Tests.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace CodeAssist.Tests.Models;

/// <summary>
/// A model file is checked in a child process before its first load in the server: a file that aborts or hangs the
/// loader is refused with a clear error instead of taking the server down, verdicts are remembered, and the shipped
/// models are trusted by their catalog hash.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Model)]
public sealed class ModelProbeTests : IDisposable
{
    // Stand-ins for a llama.cpp that aborts or hangs on a file (the file is the script's $1).
    private static readonly ProbeCommand Aborts = new("/bin/sh", ["-c", "echo 'GGML_ASSERT(eps >= 0.0f) failed' >&2; kill -ABRT $$", "sh"]);
    private static readonly ProbeCommand Hangs = new("/bin/sh", ["-c", "sleep 600", "sh"]);

    private readonly string _folder = Directory.CreateTempSubdirectory("codeassist-probe-").FullName;

    private string VerdictFile => Path.Combine(_folder, "model-checks.tsv");

    [Fact]
    public void AGoodFileIsCheckedOnceInAChildThenRememberedOnDisk()
    {
        var first = Probe();
        first.EnsureSafe(TestModel.Get().Path);
        Assert.Equal(1, first.ChildrenStarted);
        first.EnsureSafe(TestModel.Get().Path);
        Assert.Equal(1, first.ChildrenStarted);

        // Another server (a new process) reads the verdict from disk.
        var second = Probe();
        second.EnsureSafe(TestModel.Get().Path);
        Assert.Equal(0, second.ChildrenStarted);
    }

    [Fact]
    public void AFileThatLlamaCppCannotLoadFailsInTheChildWithItsMessage()
    {
        var writer = TestModel.Get().CreateWriter();
        writer.Set("general.architecture", "no-such-arch");
        var path = TestModelFiles.NewPath("arch");
        writer.WriteToFile(path);
        var error = Assert.Throws<ModelLoadException>(() => Probe().EnsureSafe(path));
        Assert.Contains("could not be loaded", error.Message);
        Assert.Contains("separate process", error.Message);
    }

    [Fact]
    public void AChildThatAbortsIsAClearErrorAndTheVerdictIsRemembered()
    {
        var path = CopyOfTestModel("abort");
        var probe = Probe(Aborts);
        var error = Assert.Throws<ModelLoadException>(() => probe.EnsureSafe(path));
        Assert.Contains("SIGABRT", error.Message);
        Assert.Contains("GGML_ASSERT", error.Message);

        // Remembered: no second child, the same error.
        var again = Probe(Aborts);
        Assert.Contains("SIGABRT", Assert.Throws<ModelLoadException>(() => again.EnsureSafe(path)).Message);
        Assert.Equal(0, again.ChildrenStarted);
    }

    [Fact]
    public void AChangedFileIsCheckedAgain()
    {
        var path = CopyOfTestModel("changed");
        Assert.Throws<ModelLoadException>(() => Probe(Aborts).EnsureSafe(path));
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));
        var probe = Probe();
        probe.EnsureSafe(path);
        Assert.Equal(1, probe.ChildrenStarted);
    }

    [Fact]
    public void AChildThatHangsIsKilledAtTheTimeoutAndNotRemembered()
    {
        var path = CopyOfTestModel("hang");
        var started = DateTime.UtcNow;
        var error = Assert.Throws<ModelLoadException>(() => Probe(Hangs, TimeSpan.FromSeconds(1)).EnsureSafe(path));
        Assert.Contains("did not finish within", error.Message);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(30));
        var next = Probe();
        next.EnsureSafe(path);
        Assert.Equal(1, next.ChildrenStarted);
    }

    [Fact]
    public void TheShippedModelsAreTrustedByTheirCatalogHash()
    {
        var probe = Probe(Aborts);
        probe.EnsureSafe(RepositoryPaths.TinyModel);
        probe.EnsureSafe(RepositoryPaths.ShippedModel("codeassist-py-small.gguf"));
        Assert.Equal(0, probe.ChildrenStarted);

        // The same bytes elsewhere are not shipped: they are checked.
        var copy = Path.Combine(_folder, "codeassist-py-tiny.gguf");
        File.Copy(RepositoryPaths.TinyModel, copy);
        Assert.Throws<ModelLoadException>(() => probe.EnsureSafe(copy));
    }

    [Fact]
    public void TheCatalogHashesAreTheShippedFiles()
    {
        using var catalog = JsonDocument.Parse(File.ReadAllText(Path.Combine(Path.GetDirectoryName(RepositoryPaths.TinyModel)!, "catalog.json")));
        foreach (var entry in catalog.RootElement.GetProperty("models").EnumerateArray().Where(e => e.GetProperty("shipped").GetBoolean()))
        {
            var file = Path.Combine(Path.GetDirectoryName(RepositoryPaths.TinyModel)!, entry.GetProperty("file").GetString()!);
            using var stream = File.OpenRead(file);
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream)), entry.GetProperty("sha256").GetString());
        }
    }

    [Fact]
    public async Task SelectingAModelWhoseCheckAbortsKeepsThePreviousModelServing()
    {
        var path = CopyOfTestModel("select");
        await using var client = LspTestClient.Start(services => services.AddSingleton(Probe(Aborts)));
        await client.InitializeAsync(new Dictionary<string, object?> { ["model"] = RepositoryPaths.TinyModel, ["threads"] = 1, ["debounceMs"] = 0 });
        var uri = LspTestClient.FileUri("probe.py");
        await client.OpenAsync(uri, "import os\n\nfor name in os.listdir('.'):\n    pr");
        Assert.True((await client.InlineCompletionAsync(uri, 3, 6)).TryGetProperty("result", out _));

        var selected = await client.ExecuteCommandAsync("codeAssist.selectModel", new { tier = "local", id = path });
        Assert.True(selected.TryGetProperty("error", out var error), selected.GetRawText());
        Assert.Contains("SIGABRT", error.GetProperty("message").GetString(), StringComparison.Ordinal);

        var after = await client.InlineCompletionAsync(uri, 3, 6);
        Assert.True(after.TryGetProperty("result", out _), after.GetRawText());
        Assert.False(client.Server.IsCompleted);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private ModelProbe Probe(ProbeCommand? command = null, TimeSpan? timeout = null) =>
        new(ShippedModels.Shipped(NullLogger<ShippedModels>.Instance), NullLogger<ModelProbe>.Instance, command, VerdictFile, timeout is { } t ? _ => t : null);

    private string CopyOfTestModel(string name)
    {
        var path = Path.Combine(_folder, name + ".gguf");
        File.Copy(TestModel.Get().Path, path);
        return path;
    }
}

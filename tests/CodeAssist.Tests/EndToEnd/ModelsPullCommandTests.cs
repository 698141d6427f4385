using CodeAssist.Tests.Models;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.EndToEnd;

/// <summary><c>codeassist models pull ID</c> as a user runs it, against a file server on 127.0.0.1 named by a test catalog.</summary>
[Trait(TestCategory.Name, TestCategory.Process)]
public sealed class ModelsPullCommandTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("codeassist-pull-cli-");
    private readonly byte[] _model = TestCatalog.ModelBytes();

    public void Dispose() => _folder.Delete(recursive: true);

    private string Models => Path.Combine(_folder.FullName, "models");

    private string Target => Path.Combine(Models, TestCatalog.File);

    private Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string catalog, params string[] arguments) =>
        ServerProcess.RunAsync(
            new Dictionary<string, string?> { ["CODEASSIST_MODELS_DIR"] = Models, ["CODEASSIST_CATALOG"] = catalog },
            TimeSpan.FromSeconds(60),
            arguments);

    [Fact]
    public async Task PullDownloadsIntoTheModelsFolderWithProgressOnStderrAndOnlyThePathOnStdout()
    {
        await using var server = new ModelFileServer(_model) { BytesPerSecond = Math.Max(_model.Length / 2, 1) };
        var catalog = TestCatalog.Write(_folder.FullName, server.Url, _model.Length, TestCatalog.Sha256(_model));

        var (exitCode, stdout, stderr) = await RunAsync(catalog, "models", "pull", TestCatalog.Id);

        Assert.Equal(0, exitCode);
        Assert.Equal(Target + Environment.NewLine, stdout);
        Assert.Equal(_model, await File.ReadAllBytesAsync(Target));

        // Not a terminal: a line per tenth, each with speed and time left, then the result.
        var progress = stderr.Split('\n').Where(line => line.StartsWith(TestCatalog.Id + ":", StringComparison.Ordinal) && line.Contains(" left", StringComparison.Ordinal)).ToList();
        Assert.True(progress.Count >= 3, stderr);
        Assert.All(progress, line => Assert.Matches(@"\d+% [\d.]+ [kM]?B of [\d.]+ [kM]?B, [\d.]+ [kM]?B/s, ", line));
        Assert.Contains($"codeassist: downloaded {TestCatalog.Id} (", stderr, StringComparison.Ordinal);

        // The model check ran on the download (in a child process) and says what the model can do.
        Assert.Contains("codeassist: model check: fills in the middle (CodeAssist format)", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain('\r', stderr);

        // Again: already there, nothing downloaded.
        var again = await RunAsync(catalog, "models", "pull", TestCatalog.Id);
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("already downloaded and verified", again.Stderr, StringComparison.Ordinal);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task AnInterruptedPullFailsKeepingThePartAndTheNextResumesIt()
    {
        await using var server = new ModelFileServer(_model) { CutAfter = _model.Length / 3 };
        var catalog = TestCatalog.Write(_folder.FullName, server.Url, _model.Length);

        var cut = await RunAsync(catalog, "models", "pull", TestCatalog.Id);
        Assert.Equal(1, cut.ExitCode);
        Assert.Equal("", cut.Stdout);
        Assert.Matches($@"codeassist: the connection to 127\.0\.0\.1 (failed|closed) after {_model.Length / 3} of {_model.Length} bytes", cut.Stderr);
        Assert.Contains("the next pull resumes", cut.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Target));

        var resumed = await RunAsync(catalog, "models", "pull", TestCatalog.Id);
        Assert.Equal(0, resumed.ExitCode);
        Assert.Equal(_model, await File.ReadAllBytesAsync(Target));
        Assert.Equal($"bytes={_model.Length / 3}-", server.Requests[^1].Range);
        Assert.Contains("resumed at", resumed.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A404AnUnknownIdAndTheCatalogOptionGiveOneClearLineAndExitCodeOne()
    {
        await using var server = new ModelFileServer(_model) { Status = 404 };
        var catalog = TestCatalog.Write(_folder.FullName, server.Url, _model.Length);

        var missing = await RunAsync(catalog, "models", "pull", TestCatalog.Id);
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal("", missing.Stdout);
        Assert.Contains($"codeassist: {server.Url} answered 404 Not Found", missing.Stderr, StringComparison.Ordinal);

        var unknown = await RunAsync(catalog, "models", "pull", "no-such-model");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("codeassist: 'no-such-model' is not in the catalog", unknown.Stderr, StringComparison.Ordinal);

        // --catalog wins over $CODEASSIST_CATALOG; the shipped catalog's own models have nothing to download.
        var shipped = await RunAsync("/nonexistent/catalog.json", "models", "pull", "codeassist-py-tiny", "--catalog", catalog);
        Assert.Equal(1, shipped.ExitCode);
        Assert.Contains("'codeassist-py-tiny' is not in the catalog", shipped.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Target));
    }

    [Fact]
    public async Task TheListingReadsTheSameCatalog()
    {
        var catalog = TestCatalog.Write(_folder.FullName, "http://127.0.0.1:9/models/test-model.gguf", _model.Length);

        var (exitCode, stdout, _) = await RunAsync(catalog, "models");

        Assert.Equal(0, exitCode);
        Assert.Contains(TestCatalog.Id, stdout, StringComparison.Ordinal);
        Assert.Contains("codeassist models pull ID", stdout, StringComparison.Ordinal);
    }
}

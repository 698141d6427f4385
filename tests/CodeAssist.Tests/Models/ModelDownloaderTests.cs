using CodeAssist.Server.Models;
using CodeAssist.Tests.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace CodeAssist.Tests.Models;

/// <summary><see cref="ModelDownloader"/> against a file server on 127.0.0.1: resume, verification and the errors people see.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class ModelDownloaderTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("codeassist-pull-");
    private readonly byte[] _model = TestCatalog.ModelBytes();
    private readonly ModelDownloader _downloader = new(NullLogger<ModelDownloader>.Instance) { ProgressInterval = TimeSpan.FromMilliseconds(50), StallTimeout = TimeSpan.FromSeconds(20) };

    public void Dispose()
    {
        _downloader.Dispose();
        _folder.Delete(recursive: true);
    }

    private string Target => Path.Combine(_folder.FullName, TestCatalog.File);

    private string Part => Target + ModelDownloader.PartSuffix;

    private Task<DownloadResult> DownloadAsync(CatalogEntry entry, Func<DownloadProgress, Task>? progress = null, CancellationToken cancellationToken = default) =>
        _downloader.DownloadAsync(entry, _folder.FullName, progress, cancellationToken);

    [Fact]
    public async Task ADownloadIsVerifiedAgainstTheCatalogsSha256AndRenamedToItsFinalName()
    {
        await using var server = new ModelFileServer(_model);
        var entry = TestCatalog.Entry(server.Url, _model.Length, TestCatalog.Sha256(_model));

        var result = await DownloadAsync(entry);

        Assert.Equal(Target, result.Path);
        Assert.False(result.AlreadyPresent);
        Assert.Equal(0, result.ResumedFrom);
        Assert.Equal(_model, await File.ReadAllBytesAsync(Target));
        Assert.False(File.Exists(Part));
        var request = Assert.Single(server.Requests);
        Assert.Null(request.Range);

        // Present and verified: nothing to do, nothing asked of the server.
        var again = await DownloadAsync(entry);
        Assert.True(again.AlreadyPresent);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task AThrottledDownloadReportsBytesSpeedAndTimeLeftThenVerifying()
    {
        await using var server = new ModelFileServer(_model) { BytesPerSecond = Math.Max(_model.Length / 2, 1) };
        var reports = new List<DownloadProgress>();

        await DownloadAsync(TestCatalog.Entry(server.Url, _model.Length), p =>
        {
            reports.Add(p);
            return Task.CompletedTask;
        });

        var transfer = reports.Where(r => !r.Verifying).ToList();
        Assert.True(transfer.Count >= 5, $"{transfer.Count} reports");
        Assert.All(transfer, r => Assert.Equal(_model.Length, r.TotalBytes));
        Assert.Equal(transfer.Select(r => r.Bytes).Order(), transfer.Select(r => r.Bytes));
        var middle = transfer[transfer.Count / 2];
        Assert.True(middle.BytesPerSecond > 0);
        Assert.NotNull(middle.TimeLeft);
        Assert.InRange(middle.Percentage!.Value, 1, 99);
        Assert.Matches(@"^[\d.]+ [kMG]?B of [\d.]+ [kMG]?B, [\d.]+ [kMG]?B/s, (<1 s|\d+ s|\d+ min) left$", middle.Describe());
        Assert.True(reports[^1].Verifying);
    }

    [Fact]
    public async Task ADownloadCutMidwayKeepsThePartAndTheNextResumesWithARangeForTheRestOnly()
    {
        await using var server = new ModelFileServer(_model) { CutAfter = _model.Length / 2 };
        var entry = TestCatalog.Entry(server.Url, _model.Length, TestCatalog.Sha256(_model));

        var cut = await Assert.ThrowsAsync<ModelDownloadException>(() => DownloadAsync(entry));
        Assert.Contains("next pull resumes", cut.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Target));
        var kept = new FileInfo(Part).Length;
        Assert.Equal(_model.Length / 2, kept);

        var result = await DownloadAsync(entry);

        Assert.Equal(kept, result.ResumedFrom);
        Assert.Equal(_model, await File.ReadAllBytesAsync(Target));
        Assert.False(File.Exists(Part));
        var resumed = server.Requests[^1];
        Assert.Equal($"bytes={kept}-", resumed.Range);
        Assert.Equal(206, resumed.Status);
        Assert.Equal(_model.Length - kept, resumed.BodyBytesSent);
    }

    [Fact]
    public async Task AnAnswerWithoutALengthIsDownloadedVerifiedAndShowsProgressAgainstTheCatalogsSize()
    {
        await using var server = new ModelFileServer(_model) { Chunked = true, BytesPerSecond = Math.Max(_model.Length / 2, 1) };
        var reports = new List<DownloadProgress>();

        var result = await DownloadAsync(TestCatalog.Entry(server.Url, _model.Length, TestCatalog.Sha256(_model)), p =>
        {
            reports.Add(p);
            return Task.CompletedTask;
        });

        Assert.Equal(_model, await File.ReadAllBytesAsync(result.Path));
        Assert.Equal(200, Assert.Single(server.Requests).Status);
        var transfer = reports.Where(r => !r.Verifying).ToList();
        Assert.NotEmpty(transfer);
        Assert.All(transfer, r => Assert.Equal(_model.Length, r.TotalBytes));
        Assert.Contains(transfer, r => r.Percentage is > 0 and < 100);
    }

    [Fact]
    public async Task AnAnswerWithoutALengthCutMidwayKeepsThePartAndResumes()
    {
        await using var server = new ModelFileServer(_model) { Chunked = true, CutAfter = _model.Length / 2 };
        var entry = TestCatalog.Entry(server.Url, _model.Length, TestCatalog.Sha256(_model));

        // The last chunk never came: a cut, not a short file (which the checksum would throw away).
        var cut = await Assert.ThrowsAsync<ModelDownloadException>(() => DownloadAsync(entry));
        Assert.Contains("next pull resumes", cut.Message, StringComparison.Ordinal);
        var kept = new FileInfo(Part).Length;
        Assert.InRange(kept, 1, _model.Length - 1);

        var result = await DownloadAsync(entry);
        Assert.Equal(kept, result.ResumedFrom);
        Assert.Equal(_model, await File.ReadAllBytesAsync(Target));
        Assert.Equal($"bytes={kept}-", server.Requests[^1].Range);
    }

    [Fact]
    public async Task AServerThatIgnoresTheRangeIsDownloadedAgainFromTheStart()
    {
        await using var server = new ModelFileServer(_model) { IgnoreRange = true };
        await File.WriteAllBytesAsync(Part, Enumerable.Repeat((byte)0xFF, 1000).ToArray());

        var result = await DownloadAsync(TestCatalog.Entry(server.Url, _model.Length, TestCatalog.Sha256(_model)));

        Assert.Equal(0, result.ResumedFrom);
        Assert.Equal(_model, await File.ReadAllBytesAsync(Target));
        var request = Assert.Single(server.Requests);
        Assert.Equal("bytes=1000-", request.Range);
        Assert.Equal(200, request.Status);
    }

    [Fact]
    public async Task APartThatAlreadyHoldsTheWholeFileIsVerifiedAndRenamedWithoutDownloadingAgain()
    {
        await using var server = new ModelFileServer(_model);
        await File.WriteAllBytesAsync(Part, _model);

        var result = await DownloadAsync(TestCatalog.Entry(server.Url, _model.Length, TestCatalog.Sha256(_model)));

        Assert.Equal(_model.Length, result.ResumedFrom);
        Assert.Equal(_model, await File.ReadAllBytesAsync(Target));
        Assert.Equal(416, Assert.Single(server.Requests).Status);
    }

    [Fact]
    public async Task ASizeFarFromTheCatalogsIsRefusedAsTheWrongFileBeforeDownloading()
    {
        await using var server = new ModelFileServer(_model);

        var error = await Assert.ThrowsAsync<ModelDownloadException>(() => DownloadAsync(TestCatalog.Entry(server.Url, _model.Length * 2L)));

        Assert.StartsWith("wrong size: " + server.Url, error.Message, StringComparison.Ordinal);
        Assert.Contains($"announces {_model.Length} bytes", error.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests);
        Assert.False(File.Exists(Target));
        Assert.False(File.Exists(Part));
    }

    [Fact]
    public async Task ASizeWithinTenPercentOfTheCatalogsIsAccepted()
    {
        await using var server = new ModelFileServer(_model);

        await DownloadAsync(TestCatalog.Entry(server.Url, (long)(_model.Length * 1.09)));

        Assert.True(File.Exists(Target));
    }

    [Fact]
    public async Task ASha256MismatchDeletesTheDownloadWithAClearMessage()
    {
        await using var server = new ModelFileServer(_model);
        var wrong = new string('0', 64);

        var error = await Assert.ThrowsAsync<ModelDownloadException>(() => DownloadAsync(TestCatalog.Entry(server.Url, _model.Length, wrong)));

        Assert.Contains($"sha256 {TestCatalog.Sha256(_model)} does not match the catalog's {wrong}", error.Message, StringComparison.Ordinal);
        Assert.Contains("deleted", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Target));
        Assert.False(File.Exists(Part));
    }

    [Fact]
    public async Task A404NamesTheAddressAndTheStatus()
    {
        await using var server = new ModelFileServer(_model) { Status = 404 };

        var error = await Assert.ThrowsAsync<ModelDownloadException>(() => DownloadAsync(TestCatalog.Entry(server.Url, _model.Length)));

        Assert.StartsWith($"{server.Url} answered 404 Not Found", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Target));
        Assert.False(File.Exists(Part));
    }

    [Fact]
    public async Task AFileThatIsNotAGgufIsDeleted()
    {
        var html = "<!doctype html><title>Sign in</title>"u8.ToArray().Concat(new byte[4000]).ToArray();
        await using var server = new ModelFileServer(html);

        var error = await Assert.ThrowsAsync<ModelDownloadException>(() => DownloadAsync(TestCatalog.Entry(server.Url, html.Length)));

        Assert.Contains("is not a usable GGUF model file: not a GGUF model file (bad magic)", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Target));
        Assert.False(File.Exists(Part));
    }

    [Fact]
    public async Task CancellingKeepsThePartForTheNextDownload()
    {
        await using var server = new ModelFileServer(_model) { BytesPerSecond = Math.Max(_model.Length / 10, 1) };
        using var cancel = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => DownloadAsync(TestCatalog.Entry(server.Url, _model.Length), async p =>
        {
            if (p.Bytes > 0)
            {
                await cancel.CancelAsync();
            }
        }, cancel.Token));

        Assert.False(File.Exists(Target));
        Assert.InRange(new FileInfo(Part).Length, 1, _model.Length - 1);
    }

    [LinuxFact]
    public async Task AFullDiskIsReportedWithTheBytesNeededAndThePath()
    {
        await using var server = new ModelFileServer(_model);

        // Every write to /dev/full fails with ENOSPC, as on a full disk.
        File.CreateSymbolicLink(Part, "/dev/full");

        var error = await Assert.ThrowsAsync<ModelDownloadException>(() => DownloadAsync(TestCatalog.Entry(server.Url, _model.Length)));

        Assert.Matches($@"^disk full: \d+ more bytes needed at {System.Text.RegularExpressions.Regex.Escape(Part)}", error.Message);
        Assert.False(File.Exists(Target));
    }
}

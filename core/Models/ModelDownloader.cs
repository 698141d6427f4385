using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using CodeAssist.Server.Inference;
using CodeAssist.Server.Inference.Gguf;
using Microsoft.Extensions.Logging;

namespace CodeAssist.Server.Models;

/// <summary>A model download failed; the message is one clear line for people (it names the address or the file).</summary>
public sealed class ModelDownloadException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The outcome of <see cref="ModelDownloader.DownloadAsync"/>.</summary>
/// <param name="Path">The verified model file.</param>
/// <param name="SizeBytes">Its size.</param>
/// <param name="AlreadyPresent">True when the file was there already (and verified): nothing was downloaded.</param>
/// <param name="ResumedFrom">Bytes of an earlier, interrupted download that were kept (0 when it started from nothing).</param>
public sealed record DownloadResult(string Path, long SizeBytes, bool AlreadyPresent, long ResumedFrom);

/// <summary>
/// Downloads a catalog model into a models folder: into <c>&lt;file&gt;.part</c>, resuming an interrupted download with
/// an HTTP range request, then verified (the size the server announced; a GGUF header that reads; the catalog's sha256
/// where it has one) and renamed to its final name in one step, so a model file in the folder is always whole.
/// A network failure or a cancellation keeps the <c>.part</c> for the next try; a file that fails verification is deleted.
/// </summary>
public sealed class ModelDownloader : IDisposable
{
    /// <summary>
    /// How far the size the server announces may be from the catalog's <c>sizeBytes</c> (which is approximate, as the
    /// download page rounds it) before the file is taken for another one: 10 %.
    /// </summary>
    public const double SizeTolerance = 0.10;

    /// <summary>The suffix of a download in progress.</summary>
    public const string PartSuffix = ".part";

    private const int BufferSize = 1 << 16;

    private readonly HttpClient _http;
    private readonly ILogger<ModelDownloader> _logger;

    /// <summary>Creates the downloader with its own HTTP client (redirects followed, the system proxy used, no overall time limit).</summary>
    public ModelDownloader(ILogger<ModelDownloader> logger)
    {
        _logger = logger;
        _http = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(30),
            AutomaticDecompression = DecompressionMethods.None,
            AllowAutoRedirect = true,
        })
        {
            // A model takes minutes; a stalled connection is caught by StallTimeout instead.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("CodeAssist", "1"));
    }

    /// <summary>How long the server may send nothing before the download fails (the <c>.part</c> is kept).</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How often progress is reported at most.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Downloads <paramref name="entry"/> into <paramref name="folder"/> (created if needed) and returns the verified file.
    /// <paramref name="progress"/> is awaited at most every <see cref="ProgressInterval"/>, and once when verifying.
    /// Throws <see cref="ModelDownloadException"/> with a clear message; <see cref="OperationCanceledException"/> when
    /// cancelled (the <c>.part</c> is kept, and the next download resumes from it).
    /// </summary>
    public async Task<DownloadResult> DownloadAsync(CatalogEntry entry, string folder, Func<DownloadProgress, Task>? progress, CancellationToken cancellationToken)
    {
        var url = entry.Url is { } address && Uri.TryCreate(address, UriKind.Absolute, out var parsed) && parsed.Scheme is "http" or "https"
            ? parsed
            : throw new ModelDownloadException($"{entry.Id} has no http(s) download address in the catalog");
        if (Path.GetFileName(entry.File) != entry.File || !entry.File.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase))
        {
            throw new ModelDownloadException($"{entry.Id}: the catalog's file name '{entry.File}' is not a plain .gguf file name");
        }

        Directory.CreateDirectory(folder);
        var target = Path.Combine(Path.GetFullPath(folder), entry.File);
        var part = target + PartSuffix;
        if (File.Exists(target))
        {
            var size = await VerifyAsync(entry, target, deleteOnFailure: false, progress, cancellationToken).ConfigureAwait(false);
            _logger.LogInformation("{Model} is already downloaded: {Path}", entry.Id, target);
            return new DownloadResult(target, size, AlreadyPresent: true, ResumedFrom: 0);
        }

        var resumedFrom = await TransferAsync(entry, url, part, progress, cancellationToken).ConfigureAwait(false);
        var length = await VerifyAsync(entry, part, deleteOnFailure: true, progress, cancellationToken).ConfigureAwait(false);
        File.Move(part, target, overwrite: true);
        _logger.LogInformation("Downloaded {Model} to {Path} ({Bytes} bytes)", entry.Id, target, length);
        return new DownloadResult(target, length, AlreadyPresent: false, ResumedFrom: resumedFrom);
    }

    /// <summary>Fills <paramref name="part"/> with the whole file; returns the bytes kept from an earlier try.</summary>
    private async Task<long> TransferAsync(CatalogEntry entry, Uri url, string part, Func<DownloadProgress, Task>? progress, CancellationToken cancellationToken)
    {
        // Two rounds at most: the second starts over when the server cannot continue the first (ignores the range, or
        // its file changed size).
        for (var round = 0; ; round++)
        {
            var existing = File.Exists(part) ? new FileInfo(part).Length : 0;
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (existing > 0)
            {
                request.Headers.Range = new RangeHeaderValue(existing, null);
            }

            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException ex)
            {
                throw new ModelDownloadException($"could not reach {url.GetLeftPart(UriPartial.Path)}: {ex.Message}{KeptNote(part)}", ex);
            }

            using (response)
            {
                long start;
                long? total;
                if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && existing > 0)
                {
                    // The .part may already hold the whole file (an earlier try stopped before it was renamed).
                    if (response.Content.Headers.ContentRange?.Length == existing)
                    {
                        return existing;
                    }

                    _logger.LogWarning("{Url} refused to resume {Part} at {Bytes} bytes; starting over", url, part, existing);
                    File.Delete(part);
                    continue;
                }

                if (!response.IsSuccessStatusCode)
                {
                    throw new ModelDownloadException(
                        $"{url.GetLeftPart(UriPartial.Path)} answered {(int)response.StatusCode} {response.ReasonPhrase}" +
                        (response.StatusCode == HttpStatusCode.NotFound ? " (the file is not there: is the catalog's address out of date?)" : string.Empty) +
                        KeptNote(part));
                }

                if (response.StatusCode == HttpStatusCode.PartialContent)
                {
                    var range = response.Content.Headers.ContentRange;
                    if (existing == 0 || range?.From != existing)
                    {
                        if (round > 0)
                        {
                            throw new ModelDownloadException($"{url.GetLeftPart(UriPartial.Path)} answered a range that was not asked for ({range})");
                        }

                        _logger.LogWarning("{Url} answered the range {Range} to a request from {Bytes}; starting over", url, range?.ToString(), existing);
                        File.Delete(part);
                        continue;
                    }

                    start = existing;
                    total = range.Length;
                }
                else
                {
                    if (existing > 0)
                    {
                        _logger.LogInformation("{Url} does not resume downloads (it answered {Status} to a range request): starting {Model} over", url, (int)response.StatusCode, entry.Id);
                    }

                    start = 0;
                    total = response.Content.Headers.ContentLength;
                }

                if (total is { } announced)
                {
                    CheckAgainstCatalog(entry, announced, url.GetLeftPart(UriPartial.Path), "announces");
                }

                // No length announced (a chunked answer): the catalog's size stands in for the free space and the progress.
                var expected = total ?? (entry.SizeBytes is > 0 ? entry.SizeBytes : null);
                if (expected is { } size)
                {
                    CheckFreeSpace(part, size - start);
                }

                _logger.LogInformation("Downloading {Model} from {Url}: {Start} of {Total} bytes on disk", entry.Id, url, start, total?.ToString(CultureInfo.InvariantCulture) ?? "unannounced");
                await CopyAsync(response, url, part, start, total, expected, progress, cancellationToken).ConfigureAwait(false);
                return start;
            }
        }
    }

    // total: the length the server announced (checked at the end); expected: that, or the catalog's size for the progress.
    private async Task CopyAsync(
        HttpResponseMessage response, Uri url, string part, long start, long? total, long? expected, Func<DownloadProgress, Task>? progress, CancellationToken cancellationToken)
    {
        FileStream file;
        try
        {
            // Not shared: a second download of the same model fails here instead of writing into this one.
            // Unbuffered: every chunk is written (or fails, disk full) where it is handed over, never later in a dispose.
            file = new FileStream(part, start == 0 ? FileMode.Create : FileMode.Append, FileAccess.Write, FileShare.None, bufferSize: 0, useAsync: true);
        }
        catch (IOException ex)
        {
            throw IsDiskFull(ex) ? DiskFull(part, total is { } t ? t - start : 1, ex) : new ModelDownloadException($"cannot write {part}: {ex.Message} (is another download of it running?)", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new ModelDownloadException($"cannot write {part}: {ex.Message}", ex);
        }

        await using (file.ConfigureAwait(false))
        {
            var received = 0L;
            var clock = Stopwatch.StartNew();
            var lastReport = -ProgressInterval;
            var buffer = new byte[BufferSize];
            Stream body;
            try
            {
                body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                throw new ModelDownloadException($"the download from {url.GetLeftPart(UriPartial.Path)} failed: {ex.Message}{KeptNote(part)}", ex);
            }

            await using (body.ConfigureAwait(false))
            {
                while (true)
                {
                    int read;
                    using (var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                    {
                        stall.CancelAfter(StallTimeout);
                        try
                        {
                            read = await body.ReadAsync(buffer, stall.Token).ConfigureAwait(false);
                        }
                        catch (Exception ex) when (ex is OperationCanceledException or HttpRequestException or IOException)
                        {
                            // A cancelled read may surface as an IOException too: cancellation wins, then the stall.
                            cancellationToken.ThrowIfCancellationRequested();
                            if (stall.IsCancellationRequested)
                            {
                                throw new ModelDownloadException(
                                    $"{url.Host} sent nothing for {StallTimeout.TotalSeconds:0} s after {start + received} of {Describe(total)} bytes{KeptNote(part, start + received)}", ex);
                            }

                            throw new ModelDownloadException(
                                $"the connection to {url.Host} failed after {start + received} of {Describe(total)} bytes: {ex.Message}{KeptNote(part, start + received)}", ex);
                        }
                    }

                    if (read == 0)
                    {
                        break;
                    }

                    try
                    {
                        await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    }
                    catch (IOException ex) when (IsDiskFull(ex))
                    {
                        throw DiskFull(part, total is { } t ? t - start - received : read, ex);
                    }

                    received += read;
                    if (progress is not null && clock.Elapsed - lastReport >= ProgressInterval)
                    {
                        lastReport = clock.Elapsed;
                        // An estimate never shows less than what is on disk.
                        var shown = expected is { } size ? Math.Max(size, start + received) : (long?)null;
                        await progress(new DownloadProgress(start + received, shown, received / Math.Max(clock.Elapsed.TotalSeconds, 1e-3))).ConfigureAwait(false);
                    }
                }
            }

            try
            {
                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex) when (IsDiskFull(ex))
            {
                throw DiskFull(part, BufferSize, ex);
            }

            if (total is { } announcedTotal && start + received != announcedTotal)
            {
                throw new ModelDownloadException(
                    $"the connection to {url.Host} closed after {start + received} of {announcedTotal} bytes{KeptNote(part, start + received)}");
            }
        }
    }

    /// <summary>Checks a downloaded file; returns its size. A file that fails is deleted when <paramref name="deleteOnFailure"/>.</summary>
    private async Task<long> VerifyAsync(CatalogEntry entry, string path, bool deleteOnFailure, Func<DownloadProgress, Task>? progress, CancellationToken cancellationToken)
    {
        var length = new FileInfo(path).Length;
        if (progress is not null)
        {
            await progress(new DownloadProgress(length, length, 0, Verifying: true)).ConfigureAwait(false);
        }

        try
        {
            CheckAgainstCatalog(entry, length, path, "is");
            try
            {
                GgufReader.Read(path);
            }
            catch (ModelLoadException ex)
            {
                throw new ModelDownloadException($"{entry.Id} is not a usable GGUF model file: {ex.Message}", ex);
            }

            if (entry.Sha256 is { } expected)
            {
                var actual = await Sha256Async(path, cancellationToken).ConfigureAwait(false);
                if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
                {
                    throw new ModelDownloadException($"{entry.Id}: sha256 {actual} does not match the catalog's {expected.ToLowerInvariant()}: {path}");
                }
            }

            return length;
        }
        catch (ModelDownloadException ex) when (deleteOnFailure)
        {
            File.Delete(path);
            throw new ModelDownloadException(ex.Message + " (the download was deleted)", ex.InnerException);
        }
        catch (ModelDownloadException ex)
        {
            throw new ModelDownloadException(ex.Message + " (the file was already in the models folder: delete it to download it again)", ex.InnerException);
        }
    }

    private static void CheckAgainstCatalog(CatalogEntry entry, long bytes, string where, string verb)
    {
        if (entry.SizeBytes is { } approximate && approximate > 0 && Math.Abs(bytes - approximate) > approximate * SizeTolerance)
        {
            throw new ModelDownloadException(string.Create(CultureInfo.InvariantCulture,
                $"wrong size: {where} {verb} {bytes} bytes, but the catalog lists {entry.Id} at about {approximate} bytes (more than {SizeTolerance:P0} apart): not the expected file"));
        }
    }

    private void CheckFreeSpace(string part, long needed)
    {
        long free;
        try
        {
            free = new DriveInfo(Path.GetDirectoryName(part)!).AvailableFreeSpace;
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or UnauthorizedAccessException)
        {
            _logger.LogDebug("Could not read the free space beside {Path}: {Error}", part, ex.Message);
            return;
        }

        if (free < needed)
        {
            throw new ModelDownloadException(string.Create(CultureInfo.InvariantCulture, $"disk full: {needed} bytes needed at {part}, {free} free"));
        }
    }

    private static async Task<string> Sha256Async(string path, CancellationToken cancellationToken)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, useAsync: true);
        await using (stream.ConfigureAwait(false))
        {
            return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
        }
    }

    /// <summary>ENOSPC on Unix (the errno is the HResult there), ERROR_DISK_FULL or ERROR_HANDLE_DISK_FULL on Windows.</summary>
    private static bool IsDiskFull(IOException ex) =>
        OperatingSystem.IsWindows() ? (ex.HResult & 0xFFFF) is 0x70 or 0x27 : ex.HResult == 28;

    private static ModelDownloadException DiskFull(string part, long needed, IOException ex) =>
        new(string.Create(CultureInfo.InvariantCulture, $"disk full: {needed} more bytes needed at {part}{KeptNote(part)}"), ex);

    private static string Describe(long? total) => total?.ToString(CultureInfo.InvariantCulture) ?? "?";

    private static string KeptNote(string part, long? bytes = null)
    {
        var kept = bytes ?? (File.Exists(part) ? new FileInfo(part).Length : 0);
        return kept > 0 ? string.Create(CultureInfo.InvariantCulture, $"; {kept} bytes are kept in {part} and the next pull resumes from there") : string.Empty;
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}

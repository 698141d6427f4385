using System.Collections.Concurrent;
using CodeAssist.Server.Inference;
using CodeAssist.Server.Inference.Gguf;
using Microsoft.Extensions.Logging;

namespace CodeAssist.Server.Context;

/// <summary>
/// The Python files of the workspace folders the client named in <c>initialize</c>: listed in the background (never on a
/// request's path), kept current by <c>workspace/didChangeWatchedFiles</c>, and read on demand into a cache of
/// <see cref="ModuleSurface"/>s. Only regular files inside the folders are read: symbolic links are not followed,
/// virtual environments, caches, hidden and <c>.gitignore</c>d folders are skipped, and files and counts are capped.
/// It is also the corpus the copy model indexes (<see cref="ICopyCorpus"/>): every listed file, in path order.
/// </summary>
public sealed class WorkspaceFiles(ILogger<WorkspaceFiles> logger) : ICopyCorpus, IDisposable
{
    /// <summary>Files listed at most; a larger workspace is listed up to this many.</summary>
    public const int MaxFiles = 20_000;

    /// <summary>Files larger than this are skipped (generated code, data in .py files).</summary>
    public const long MaxFileBytes = 512 * 1024;

    private static readonly HashSet<string> SkippedFolders = new(StringComparer.Ordinal)
    {
        "__pycache__", "node_modules", "site-packages", "dist-packages", "venv", "env", "build", "dist", "htmlcov",
    };

    private readonly ConcurrentDictionary<string, CachedModule> _modules = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private volatile IReadOnlyList<string> _folders = [];
    private volatile IReadOnlyList<string> _offered = [];
    private volatile HashSet<string> _files = new(StringComparer.Ordinal);
    private volatile string[]? _ordered;
    private Task _listing = Task.CompletedTask;
    private int _generation;

    /// <summary>The workspace folders (full paths, no trailing separator).</summary>
    public IReadOnlyList<string> Folders => _folders;

    /// <summary>How many Python files are listed.</summary>
    public int FileCount => _files.Count;

    /// <summary>Modules read and cached.</summary>
    public int ModulesRead => _modules.Count;

    /// <summary>Characters of module text held by the cache (for the stats' memory figure).</summary>
    public long CachedChars => _modules.Values.Sum(m => (long)m.Chars);

    /// <summary>Changes with every change to the listing or to a file in it: what was read before may be out of date.</summary>
    public int Generation => Volatile.Read(ref _generation);

    /// <summary>The background listing (for tests and the bench).</summary>
    public Task Listing => _listing;

    /// <summary>
    /// The folders the client named at <c>initialize</c>: listed now when <paramref name="enabled"/> (the workspace is
    /// trusted and <c>context.workspace</c> is on), else kept for <see cref="Enable"/>.
    /// </summary>
    public void Offer(IEnumerable<string> folders, bool enabled)
    {
        _offered = [.. folders];
        if (enabled)
        {
            SetFolders(_offered);
        }
    }

    /// <summary><c>context.workspace</c> changed: the offered folders are listed, or the listing is dropped, without a restart.</summary>
    public void Enable(bool enabled)
    {
        if (enabled && _folders.Count == 0 && _offered.Count > 0)
        {
            SetFolders(_offered);
        }
        else if (!enabled && _folders.Count > 0)
        {
            SetFolders([]);
        }
    }

    /// <summary>Starts listing <paramref name="folders"/> (local paths) in the background; an empty list turns the workspace off.</summary>
    public void SetFolders(IEnumerable<string> folders)
    {
        // Nothing touches the disk here (initialize runs on the dispatcher): a folder that does not exist is found out by the listing.
        var full = folders.Select(f => Path.TrimEndingDirectorySeparator(Path.GetFullPath(f))).Distinct(StringComparer.Ordinal).ToList();
        _folders = full;
        _modules.Clear();
        _files = new HashSet<string>(StringComparer.Ordinal);
        _ordered = null;
        Interlocked.Increment(ref _generation);
        if (full.Count == 0)
        {
            return;
        }

        var token = _stop.Token;
        _listing = Task.Run(() => List(full, token), token);
    }

    /// <summary>Whether <paramref name="path"/> is a listed Python file.</summary>
    public bool Contains(string path) => _files.Contains(path);

    /// <summary>Whether <paramref name="path"/> lies inside a workspace folder.</summary>
    public bool IsInside(string path) => _folders.Any(folder => path.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal));

    /// <summary>A file was created, changed or deleted (<c>workspace/didChangeWatchedFiles</c>): the listing and the cache follow.</summary>
    public void Changed(string path, bool deleted)
    {
        path = Path.GetFullPath(path);
        _modules.TryRemove(path, out _);
        Interlocked.Increment(ref _generation);
        if (!path.EndsWith(".py", StringComparison.Ordinal) || !IsInside(path))
        {
            return;
        }

        var files = new HashSet<string>(_files, StringComparer.Ordinal);
        if (deleted)
        {
            files.Remove(path);
        }
        else if (files.Count < MaxFiles)
        {
            files.Add(path);
        }

        _files = files;
        _ordered = null;
        Interlocked.Increment(ref _generation);
    }

    /// <summary>
    /// The surface of the module at <paramref name="path"/>, read from disk when it is not cached or changed on disk
    /// since; null when it is not a listed file, not a regular file, too large, not text, or unreadable (logged at
    /// debug). Call it off the request path: it may read a file.
    /// </summary>
    public ModuleSurface? Surface(string path)
    {
        if (!Contains(path))
        {
            return null;
        }

        try
        {
            var info = new FileInfo(path);
            if (_modules.TryGetValue(path, out var cached) && cached.Length == info.Length && cached.Modified == info.LastWriteTimeUtc)
            {
                return cached.Surface;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            logger.LogDebug("Workspace: could not read {Path}: {Error}", path, ex.Message);
            return null;
        }

        if (ReadChecked(path) is not { } read)
        {
            return null;
        }

        var surface = ModuleSurface.Of(read.Text);
        _modules[path] = new CachedModule(surface, read.Length, read.Modified, read.Text.Length);
        return surface;
    }

    /// <inheritdoc />
    public IReadOnlyList<string> Files()
    {
        if (_ordered is { } ordered)
        {
            return ordered;
        }

        var sorted = _files.ToArray();
        Array.Sort(sorted, StringComparer.Ordinal);
        _ordered = sorted;
        return sorted;
    }

    /// <inheritdoc />
    public long Stamp(string path)
    {
        try
        {
            var info = new FileInfo(path);
            return info.Exists ? ((info.LastWriteTimeUtc.Ticks * 31) ^ info.Length) & long.MaxValue : -1;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return -1;
        }
    }

    /// <inheritdoc />
    public string? Read(string path) => Contains(path) ? ReadChecked(path)?.Text : null;

    /// <summary>
    /// A listed file's text with the length and time it was read at, when it is a regular file under the size cap,
    /// text, and did not change while being read; else null (logged at debug). It reads the disk: off the request path.
    /// </summary>
    private ReadText? ReadChecked(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (FileKind.WhyNotRegular(path) is { } why)
            {
                logger.LogDebug("Workspace: skipped {Path}: {Why}", path, why);
                return null;
            }

            if (info.Length > MaxFileBytes)
            {
                logger.LogDebug("Workspace: skipped {Path}: {Bytes} bytes, over the cap of {Cap}", path, info.Length, MaxFileBytes);
                return null;
            }

            var text = File.ReadAllText(path);
            if (text.Contains('\0', StringComparison.Ordinal))
            {
                logger.LogDebug("Workspace: skipped {Path}: not text", path);
                return null;
            }

            var after = new FileInfo(path);
            if (after.Length != info.Length || after.LastWriteTimeUtc != info.LastWriteTimeUtc)
            {
                // Changed while being read: the next request reads it again.
                return null;
            }

            return new ReadText(text, info.Length, info.LastWriteTimeUtc);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            logger.LogDebug("Workspace: could not read {Path}: {Error}", path, ex.Message);
            return null;
        }
    }

    /// <summary>
    /// The file a module name stands for, seen from <paramref name="fromFile"/>: relative imports from its folder,
    /// absolute ones from each workspace folder, its <c>src/</c>, and the folders between the file and its workspace
    /// folder; <c>a/b.py</c> before <c>a/b/__init__.py</c>. Null when the workspace does not hold it.
    /// </summary>
    public string? Resolve(string fromFile, string module, int level)
    {
        var parts = module.Length == 0 ? [] : module.Split('.');
        IEnumerable<string> roots;
        if (level > 0)
        {
            var folder = Path.GetDirectoryName(fromFile);
            for (var i = 1; i < level && folder is not null; i++)
            {
                folder = Path.GetDirectoryName(folder);
            }

            roots = folder is null ? [] : [folder];
        }
        else
        {
            roots = AbsoluteRoots(fromFile);
        }

        foreach (var root in roots)
        {
            var basePath = parts.Length == 0 ? root : Path.Combine(root, Path.Combine(parts));
            if (parts.Length > 0 && Contains(basePath + ".py"))
            {
                return basePath + ".py";
            }

            var package = Path.Combine(basePath, "__init__.py");
            if (Contains(package))
            {
                return package;
            }
        }

        return null;
    }

    private IEnumerable<string> AbsoluteRoots(string fromFile)
    {
        foreach (var folder in _folders)
        {
            yield return folder;
            yield return Path.Combine(folder, "src");
        }

        for (var folder = Path.GetDirectoryName(fromFile); folder is not null && IsInside(folder); folder = Path.GetDirectoryName(folder))
        {
            yield return folder;
        }
    }

    private void List(IReadOnlyList<string> folders, CancellationToken cancellationToken)
    {
        var files = new HashSet<string>(StringComparer.Ordinal);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        foreach (var folder in folders)
        {
            var ignored = GitIgnoredNames(folder);
            var pending = new Stack<string>();
            pending.Push(folder);
            while (pending.Count > 0 && files.Count < MaxFiles)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var current = pending.Pop();
                try
                {
                    if (File.Exists(Path.Combine(current, "pyvenv.cfg")))
                    {
                        continue;
                    }

                    foreach (var entry in new DirectoryInfo(current).EnumerateFileSystemInfos())
                    {
                        if (entry.LinkTarget is not null || entry.Name.StartsWith('.') || ignored.Contains(entry.Name))
                        {
                            continue;
                        }

                        if (entry is DirectoryInfo)
                        {
                            if (!SkippedFolders.Contains(entry.Name))
                            {
                                pending.Push(entry.FullName);
                            }
                        }
                        else if (entry.Name.EndsWith(".py", StringComparison.Ordinal) && files.Count < MaxFiles)
                        {
                            files.Add(entry.FullName);
                        }
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    logger.LogDebug("Workspace: could not list {Folder}: {Error}", current, ex.Message);
                }
            }
        }

        if (!ReferenceEquals(_folders, folders) && !_folders.SequenceEqual(folders))
        {
            return;
        }

        _files = files;
        _ordered = null;
        Interlocked.Increment(ref _generation);
        logger.LogInformation("Workspace: {Files} Python files in {Folders} folder(s), listed in {ElapsedMs:0} ms{Capped}",
            files.Count, folders.Count, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds, files.Count >= MaxFiles ? $" (capped at {MaxFiles})" : string.Empty);
    }

    /// <summary>Plain names in the folder's .gitignore (<c>build/</c>, <c>/out</c>, <c>generated</c>): the patterns that name a folder or file outright.</summary>
    private static HashSet<string> GitIgnoredNames(string folder)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var path = Path.Combine(folder, ".gitignore");
        if (FileKind.WhyNotRegular(path) is not null)
        {
            return names;
        }

        try
        {
            foreach (var raw in File.ReadLines(path).Take(1000))
            {
                var line = raw.Trim().Trim('/');
                if (line.Length > 0 && !line.StartsWith('#') && !line.StartsWith('!') && line.IndexOfAny(['*', '?', '[', '/']) < 0)
                {
                    names.Add(line);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // No .gitignore to honour.
        }

        return names;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    private sealed record CachedModule(ModuleSurface Surface, long Length, DateTime Modified, int Chars);

    private sealed record ReadText(string Text, long Length, DateTime Modified);
}

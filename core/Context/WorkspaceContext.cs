using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using CodeAssist.Server.Configuration;
using CodeAssist.Server.Documents;
using CodeAssist.Server.Inference;
using CodeAssist.Server.Prompting;
using CodeAssist.Server.Python;
using Microsoft.Extensions.Logging;

namespace CodeAssist.Server.Context;

/// <summary>
/// The context stage's workspace part: the text a completion's copy model may copy from beyond the prompt, nearest
/// first — the current file outside the prompt's window, then the definitions its imports name in the workspace, then
/// recently edited text in other open documents. A request never waits for a file: imports are resolved and read in
/// the background when a document's imports change, and requests use the last result.
/// </summary>
public sealed class WorkspaceContext(WorkspaceFiles files, RecentEdits edits, DocumentStore documents, ILogger<WorkspaceContext> logger)
{
    /// <summary>Matching tokens needed in the current file outside the window (the prompt needs 1).</summary>
    public const int FileMinMatch = 2;

    /// <summary>Matching tokens needed in imported definitions.</summary>
    public const int ImportMinMatch = 2;

    /// <summary>Matching tokens needed in recently edited text elsewhere.</summary>
    public const int EditMinMatch = 3;

    /// <summary>Matching tokens needed in the rest of the workspace (the index; at least <see cref="TokenIndex.GramLength"/>).</summary>
    public const int WorkspaceMinMatch = 6;

    // The current file's source is cut at multiples of this many lines, at least NearLines from the cursor's line.
    private const int GranuleLines = 16;
    private const int NearLines = 8;

    // How often typing in a document has its imports read again.
    private static readonly TimeSpan ReadInterval = TimeSpan.FromSeconds(1);

    /// <summary>Characters before the cursor whose names decide which imported definitions go into the prompt.</summary>
    public const int SnippetWindowChars = 2000;

    // Re-export chains (a package's __init__ importing from its modules) are followed this deep.
    private const int MaxReexportDepth = 3;

    private readonly ConcurrentDictionary<string, ImportState> _imports = new(StringComparer.Ordinal);
    private readonly WorkspaceModules _modules = new(files, path => SurfaceOf(files, documents, path));

    /// <summary>The copy sources for a request at <paramref name="cursorOffset"/> of <paramref name="uri"/>, nearest first.</summary>
    public IReadOnlyList<CopySource> SourcesFor(string uri, int cursorOffset, ContextOptions options)
    {
        if (!options.Workspace || !documents.TryGet(uri, out var snapshot))
        {
            return [];
        }

        var sources = new List<CopySource>(4);
        if (options.FileChars > 0 && OutsideWindow(snapshot, Math.Min(cursorOffset, snapshot.Length), options.FileChars) is { Length: > 0 } file)
        {
            sources.Add(new CopySource(file, FileMinMatch, "file"));
        }

        if (options.ImportChars > 0 && Imported(uri, snapshot, options.ImportChars) is { Length: > 0 } imported)
        {
            sources.Add(new CopySource(imported, ImportMinMatch, "imports"));
        }

        if (options.EditChars > 0 && Edited(uri, options.EditChars) is { Length: > 0 } edited)
        {
            sources.Add(new CopySource(edited, EditMinMatch, "edits"));
        }

        if (options.IndexTokens > 0 && files.FileCount > 0)
        {
            sources.Add(new CopySource(string.Empty, WorkspaceMinMatch, "workspace", Corpus(options)));
        }

        return sources;
    }

    /// <summary>
    /// The rest of the workspace as the copy model indexes it: every listed module but the open documents (their text in
    /// the editor replaces the disk's; the other sources hold it).
    /// </summary>
    public CorpusView Corpus(ContextOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var open = new HashSet<string>(StringComparer.Ordinal);
        foreach (var uri in documents.OpenUris)
        {
            if (LocalPath(uri) is { } path)
            {
                open.Add(path);
            }
        }

        return new CorpusView(files, open, options.IndexTokens);
    }

    /// <summary>
    /// Prompt snippets for a request at <paramref name="cursorOffset"/>: the definitions of the imported names that the
    /// <see cref="SnippetWindowChars"/> characters before the cursor use, in import order (stable while the user types,
    /// so the prompt's start and the KV cache stay put), within <paramref name="maxChars"/>. Uses what the last reading
    /// of the document's imports found (<see cref="SourcesFor"/> starts it); never reads a file.
    /// </summary>
    public IReadOnlyList<PromptSnippet> SnippetsFor(string uri, int cursorOffset, int maxChars) => SnippetsFor(uri, cursorOffset, maxChars, everyImport: false);

    /// <summary>
    /// As <see cref="SnippetsFor(string, int, int)"/>; with <paramref name="everyImport"/> every imported name's definition
    /// counts, used or not (in import order, within <paramref name="maxChars"/>): code yet to be written, such as a
    /// function's body, may call any of them.
    /// </summary>
    private IReadOnlyList<PromptSnippet> SnippetsFor(string uri, int cursorOffset, int maxChars, bool everyImport)
    {
        if (maxChars <= 0 || !_imports.TryGetValue(uri, out var state) || !documents.TryGet(uri, out var snapshot))
        {
            return [];
        }

        IReadOnlyList<ImportedSurface> surfaces;
        lock (state)
        {
            surfaces = state.Surfaces;
        }

        if (surfaces.Count == 0)
        {
            return [];
        }

        var cursor = Math.Clamp(cursorOffset, 0, snapshot.Length);
        var start = Math.Max(0, cursor - SnippetWindowChars);
        // The words of the window (a window may begin inside a string, so it is not lexed: a word is a word here), but
        // not the import statements', which name every import.
        var window = snapshot.Slice(start, cursor - start).Span;
        var used = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < window.Length;)
        {
            if ((i == 0 || window[i - 1] == '\n') && IsImportLine(window[i..]))
            {
                var next = window[i..].IndexOf('\n');
                i = next < 0 ? window.Length : i + next + 1;
                continue;
            }

            if (!char.IsLetter(window[i]) && window[i] != '_')
            {
                i++;
                continue;
            }

            var end = i + 1;
            while (end < window.Length && (char.IsLetterOrDigit(window[end]) || window[end] == '_'))
            {
                end++;
            }

            used.Add(window[i..end].ToString());
            i = end;
        }

        var snippets = new List<PromptSnippet>();
        var total = 0;
        foreach (var surface in surfaces)
        {
            if (!(everyImport || used.Contains(surface.Alias)) || total + surface.Text.Length > maxChars)
            {
                continue;
            }

            snippets.Add(new PromptSnippet(surface.Module, surface.Text));
            total += surface.Text.Length;
        }

        return snippets;
    }

    /// <summary>
    /// The prompt snippets for a request (<see cref="SnippetsFor"/>) with the names the repository format needs — the
    /// workspace folder's name and the file's path in it; null when there are none or the workspace is off.
    /// </summary>
    public PromptSnippets? PromptSnippetsFor(string uri, int cursorOffset, ContextOptions options) => PromptSnippetsFor(uri, cursorOffset, options, everyImport: false);

    /// <summary>
    /// The prompt snippets for code about to be written at <paramref name="cursorOffset"/> by a request that can wait (a code
    /// action): the document's imports are read first where this version's were not (waiting at most
    /// <paramref name="wait"/>; after that, what the last reading found), and every imported name's definition counts —
    /// the body to be written may call any of them. Null when there are none or the workspace is off.
    /// </summary>
    public async Task<PromptSnippets?> PromptSnippetsForNewCodeAsync(string uri, int cursorOffset, ContextOptions options, TimeSpan wait, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Workspace || options.PromptSnippets == false || options.SnippetChars <= 0 || options.ImportChars <= 0
            || !documents.TryGet(uri, out var snapshot))
        {
            return null;
        }

        _ = Imported(uri, snapshot, options.ImportChars);
        try
        {
            await ImportsReadAsync(uri).WaitAsync(wait, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            logger.LogDebug("Imports of {Uri} not read within {WaitMs} ms: the code action uses what was read before", uri, (long)wait.TotalMilliseconds);
        }

        return PromptSnippetsFor(uri, cursorOffset, options, everyImport: true);
    }

    private PromptSnippets? PromptSnippetsFor(string uri, int cursorOffset, ContextOptions options, bool everyImport)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Workspace || options.PromptSnippets == false || options.SnippetChars <= 0
            || SnippetsFor(uri, cursorOffset, options.SnippetChars, everyImport) is not { Count: > 0 } items)
        {
            return null;
        }

        var path = LocalPath(uri);
        var folder = path is null ? null : files.Folders.FirstOrDefault(f => path.StartsWith(f + Path.DirectorySeparatorChar, StringComparison.Ordinal));
        var file = path is null ? "current.py" : folder is null ? Path.GetFileName(path) : Path.GetRelativePath(folder, path).Replace(Path.DirectorySeparatorChar, '/');
        return new PromptSnippets(items, folder is null ? "workspace" : Path.GetFileName(folder), file);
    }

    private static bool IsImportLine(ReadOnlySpan<char> line)
    {
        line = line.TrimStart(" \t");
        return line.StartsWith("import ", StringComparison.Ordinal) || line.StartsWith("from ", StringComparison.Ordinal);
    }

    /// <summary>
    /// The workspace's modules that <paramref name="uri"/> imports or sits beside, with the names each binds, for the
    /// check stage: what the last reading of the document's imports found (<see cref="SourcesFor"/> starts it); never
    /// reads a file. None when nothing was read yet.
    /// </summary>
    public ModuleNames ModulesFor(string uri)
    {
        if (!_imports.TryGetValue(uri, out var state))
        {
            return ModuleNames.None;
        }

        lock (state)
        {
            return state.Modules;
        }
    }

    /// <summary>Documents whose imports have been read (for stats and tests).</summary>
    public int DocumentsWithImports => _imports.Count(p => p.Value.Text.Length > 0);

    /// <summary>Waits for a document's imports being read, if they are (for tests and evaluation).</summary>
    public Task ImportsReadAsync(string uri) => _imports.TryGetValue(uri, out var state) ? state.Reading : Task.CompletedTask;

    /// <summary>Forgets a closed document.</summary>
    public void Forget(string uri)
    {
        _imports.TryRemove(uri, out _);
        edits.Forget(uri);
    }

    /// <summary>
    /// The current file beyond the lines near the cursor: up to <paramref name="maxChars"/> before and after. The cuts
    /// fall on multiples of <see cref="GranuleLines"/> lines (at least <see cref="NearLines"/> from the cursor's line),
    /// so the text stays the same string while the user types on a line (the model's token cache keeps it); what
    /// overlaps the prompt is harmless, since a source counts only where the prompt matched less.
    /// </summary>
    private static string OutsideWindow(DocumentSnapshot snapshot, int cursor, int maxChars)
    {
        var line = snapshot.PositionAt(cursor).Line;
        var beforeLine = Math.Max(0, line - NearLines) / GranuleLines * GranuleLines;
        var afterLine = Math.Min(snapshot.LineCount, (line + NearLines + GranuleLines - 1) / GranuleLines * GranuleLines);
        var beforeEnd = snapshot.OffsetAt(beforeLine, 0);
        var beforeStart = Math.Max(0, beforeEnd - maxChars);
        var afterStart = afterLine >= snapshot.LineCount ? snapshot.Length : snapshot.OffsetAt(afterLine, 0);
        var afterEnd = Math.Min(snapshot.Length, afterStart + maxChars);
        if (beforeEnd <= beforeStart && afterEnd <= afterStart)
        {
            return string.Empty;
        }

        var text = new StringBuilder(beforeEnd - beforeStart + afterEnd - afterStart + 1);
        text.Append(snapshot.Slice(beforeStart, beforeEnd - beforeStart).Span);
        text.Append('\n');
        text.Append(snapshot.Slice(afterStart, afterEnd - afterStart).Span);
        return text.ToString();
    }

    private string Imported(string uri, DocumentSnapshot snapshot, int maxChars)
    {
        var state = _imports.GetOrAdd(uri, static _ => new ImportState());
        lock (state)
        {
            // Every keystroke is a new version: its imports are looked at again at most once per ReadInterval (reading
            // lexes the whole document), while a change on disk (a new generation) is read at once.
            var typed = state.Version != snapshot.Version && Stopwatch.GetElapsedTime(state.ReadAt) >= ReadInterval;
            if ((typed || state.Generation != files.Generation) && state.Reading.IsCompleted
                && LocalPath(uri) is { } path && files.IsInside(path))
            {
                // Read in the background; this request uses what the last reading found.
                state.Version = snapshot.Version;
                state.Generation = files.Generation;
                state.ReadAt = Stopwatch.GetTimestamp();
                var text = snapshot.Text;
                state.Reading = Task.Run(() => Read(state, path, text, maxChars));
            }

            return state.Text;
        }
    }

    private void Read(ImportState state, string path, string text, int maxChars)
    {
        try
        {
            var imports = PythonImports.Read(text);
            var key = files.Generation + "\n" + string.Join('\n', imports.Select(i => $"{i.Level}:{i.Module}:{i.Name}"));
            lock (state)
            {
                if (key == state.ImportsKey)
                {
                    return;
                }
            }

            var surfaces = DescribeEach(path, imports, maxChars);
            var modules = _modules.For(path, imports);
            lock (state)
            {
                state.ImportsKey = key;
                state.Text = string.Concat(surfaces.Select(d => d.Text));
                state.Surfaces = surfaces;
                state.Modules = modules;
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            logger.LogDebug("Workspace: reading the imports of {Path} failed: {Error}", path, ex.Message);
        }
    }

    /// <summary>The surfaces of what <paramref name="imports"/> name, in import order, within <paramref name="maxChars"/>.</summary>
    internal string Describe(string fromFile, IReadOnlyList<PythonImport> imports, int maxChars) =>
        string.Concat(DescribeEach(fromFile, imports, maxChars).Select(d => d.Text));

    /// <summary>Each import's surface (the name it binds, the file it comes from, its text), in import order, within <paramref name="maxChars"/> in all.</summary>
    internal List<ImportedSurface> DescribeEach(string fromFile, IReadOnlyList<PythonImport> imports, int maxChars)
    {
        var described = new List<ImportedSurface>();
        var total = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var import in imports)
        {
            if (total >= maxChars)
            {
                break;
            }

            var left = maxChars - total;
            var text = import.Name is null or "*"
                ? ModuleText(fromFile, import.Module, import.Level, left, seen)
                : NameText(fromFile, import.Module, import.Level, import.Name, left, seen, depth: 0);
            if (text is { Length: > 0 })
            {
                var module = import.Level > 0 ? new string('.', import.Level) + import.Module : import.Module;
                described.Add(new ImportedSurface(import.Alias, module, text));
                total += text.Length;
            }
        }

        return described;
    }

    private string? ModuleText(string fromFile, string module, int level, int maxChars, HashSet<string> seen)
    {
        var path = files.Resolve(fromFile, module, level);
        return path is not null && seen.Add(path) && Surface(path) is { } surface ? surface.DescribeAll(maxChars) : null;
    }

    private string? NameText(string fromFile, string module, int level, string name, int maxChars, HashSet<string> seen, int depth)
    {
        var path = files.Resolve(fromFile, module, level);
        if (path is null)
        {
            return null;
        }

        if (Surface(path) is { } surface)
        {
            if (surface.Describe(name, maxChars) is { } described)
            {
                return seen.Add(path + ":" + name) ? described : null;
            }

            // A package's __init__ that re-exports the name from one of its modules.
            if (depth < MaxReexportDepth && surface.Imports().FirstOrDefault(i => i.Alias == name && i.Name is not null and not "*") is { } reexport)
            {
                return NameText(path, reexport.Module, reexport.Level, reexport.Name!, maxChars, seen, depth + 1);
            }
        }

        // from package import submodule
        var submodule = files.Resolve(fromFile, module.Length == 0 ? name : module + "." + name, level);
        return submodule is not null && seen.Add(submodule) && Surface(submodule) is { } sub ? sub.DescribeAll(maxChars) : null;
    }

    /// <summary>A module's surface: from its open document when the editor has it open (its text may differ from the disk's), else from disk.</summary>
    private ModuleSurface? Surface(string path) => SurfaceOf(files, documents, path);

    private static ModuleSurface? SurfaceOf(WorkspaceFiles files, DocumentStore documents, string path) =>
        documents.TryGet(new Uri(path).AbsoluteUri, out var open) ? ModuleSurface.Of(open.Text) : files.Surface(path);

    private string Edited(string uri, int maxChars)
    {
        var text = new StringBuilder();
        foreach (var (chunkUri, firstLine) in edits.Chunks())
        {
            if (chunkUri == uri || !documents.TryGet(chunkUri, out var other) || firstLine >= other.LineCount)
            {
                continue;
            }

            var start = other.OffsetAt(firstLine, 0);
            var lastLine = Math.Min(other.LineCount - 1, firstLine + RecentEdits.ChunkLines - 1);
            var end = Math.Min(other.Length, lastLine + 1 < other.LineCount ? other.OffsetAt(lastLine + 1, 0) : other.Length);
            var length = Math.Min(end - start, maxChars - text.Length);
            if (length <= 0)
            {
                break;
            }

            text.Append(other.Slice(start, length).Span).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>The local path of a <c>file:</c> uri; null for other schemes.</summary>
    internal static string? LocalPath(string uri) =>
        Uri.TryCreate(uri, UriKind.Absolute, out var parsed) && parsed.IsFile ? Path.GetFullPath(parsed.LocalPath) : null;

    /// <summary>One import's surface.</summary>
    /// <param name="Alias">The name the import binds in the document.</param>
    /// <param name="Module">The module as the import spells it (relative ones with their dots).</param>
    /// <param name="Text">The definitions' signatures, docstring first lines and constants.</param>
    internal sealed record ImportedSurface(string Alias, string Module, string Text);

    private sealed class ImportState
    {
        public int Version { get; set; } = int.MinValue;

        public int Generation { get; set; } = -1;

        public long ReadAt { get; set; }

        public string ImportsKey { get; set; } = "\u0000";

        public string Text { get; set; } = string.Empty;

        public IReadOnlyList<ImportedSurface> Surfaces { get; set; } = [];

        public ModuleNames Modules { get; set; } = ModuleNames.None;

        public Task Reading { get; set; } = Task.CompletedTask;
    }
}

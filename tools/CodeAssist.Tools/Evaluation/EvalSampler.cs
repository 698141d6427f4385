using System.Text;
using System.Text.RegularExpressions;
using CodeAssist.Server.Python;

namespace CodeAssist.Tools.Evaluation;

/// <summary>
/// Picks completion points from the Python files under a folder, deterministically for a seed: the same files, seed
/// and counts always give the same points, and each kind draws from its own generator, so asking for more kinds does
/// not move the points of the others. Cursors are placed as editors leave them: after a line's indentation (a fresh
/// line after Enter) or a few characters into its code; for blocks, on the first line of a function body, after the
/// signature and the docstring.
/// </summary>
/// <remarks>
/// Every <c>*.py</c> file under the folder is read (hidden folders such as <c>.git</c> and <c>.venv</c> are not
/// entered); files that cannot be read, are not UTF-8, are over 1 MB or fail <see cref="PythonSyntaxCheck"/> are
/// skipped and counted. Points are drawn without replacement from all eligible places in the files that remain.
/// </remarks>
public static partial class EvalSampler
{
    /// <summary>The longest function body (in lines, from its first statement to its last code line) a block point may have.</summary>
    public const int MaxBlockLines = 10;

    /// <summary>The longest body (in lines) of a function an implement point removes: short bodies, as the action is for.</summary>
    public const int MaxImplementLines = 3;

    private const int MaxFileBytes = 1_000_000;

    // A crossfile point's name: at least this long (shorter ones are common words), absent from this much text before
    // the line (about the prompt's window of our 512-token models) and this many lines after it.
    private const int MinCrossFileName = 4;
    private const int CrossFileWindowChars = 2048;
    private const int CrossFileAfterLines = 20;

    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "self", "None", "True", "False", "return", "import", "from", "class", "def", "lambda", "yield", "await", "async",
        "while", "with", "pass", "break", "continue", "raise", "assert", "global", "nonlocal", "except", "finally", "elif",
    };

    /// <summary>Samples <paramref name="perKind"/> points of each kind (fewer when the folder has fewer places).</summary>
    public static EvalCorpus Sample(string folder, IReadOnlyList<EvalKind> kinds, int perKind, int seed)
    {
        var (sources, skipped) = Read(folder);
        var samples = new List<EvalSample>();
        var distinct = kinds.Distinct().ToList();
        foreach (var kind in distinct)
        {
            var random = new Random(KindSeed(seed, kind));
            if (kind == EvalKind.Implement)
            {
                var functions = sources.SelectMany(BlockCandidates).Where(block => block.Docstring && block.Last - block.BodyStart < MaxImplementLines).ToList();
                foreach (var index in Choose(random, functions.Count, perKind))
                {
                    samples.Add(MakeImplement(functions[index]));
                }
            }
            else if (kind == EvalKind.CrossFile)
            {
                var definedIn = DefinedNames(sources);
                var lines = sources.SelectMany(LineCandidates).Where(c => UsesNameFromElsewhere(c.Source, c.Line, definedIn)).ToList();
                foreach (var index in Choose(random, lines.Count, perKind))
                {
                    samples.Add(MakeLine(lines[index].Source, lines[index].Line, EvalKind.CrossFile, random));
                }
            }
            else if (kind == EvalKind.Block)
            {
                var blocks = sources.SelectMany(BlockCandidates).ToList();
                foreach (var index in Choose(random, blocks.Count, perKind))
                {
                    samples.Add(MakeBlock(blocks[index]));
                }
            }
            else
            {
                var lines = sources.SelectMany(LineCandidates).ToList();
                foreach (var index in Choose(random, lines.Count, perKind))
                {
                    samples.Add(MakeLine(lines[index].Source, lines[index].Line, kind, random));
                }
            }
        }

        return new EvalCorpus(samples, sources.Count, skipped, distinct, perKind);
    }

    /// <summary>Reads one file as the sampler does: the text with <c>\n</c> line ends, or why it is skipped.</summary>
    public static string? ReadSource(string path, out SkipReason reason, out string detail)
    {
        reason = default;
        detail = string.Empty;
        byte[] bytes;
        try
        {
            if (new FileInfo(path).Length > MaxFileBytes)
            {
                reason = SkipReason.TooLarge;
                detail = $"larger than {MaxFileBytes:N0} bytes";
                return null;
            }

            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            reason = SkipReason.Unreadable;
            detail = ex.Message;
            return null;
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            reason = SkipReason.NotUtf8;
            detail = ex.Index >= 0 ? $"invalid UTF-8 at byte {ex.Index}" : "invalid UTF-8";
            return null;
        }

        if (text.StartsWith('\uFEFF'))
        {
            text = text[1..];
        }

        text = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        if (PythonSyntaxCheck.Check(text) is { } problem)
        {
            reason = SkipReason.SyntaxError;
            detail = problem.ToString();
            return null;
        }

        return text;
    }

    private static (List<Source> Sources, List<SkippedFile> Skipped) Read(string folder)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.Hidden | FileAttributes.System };
        var files = Directory.EnumerateFiles(folder, "*.py", options)
            .Select(path => Path.GetRelativePath(folder, path))
            .Order(StringComparer.Ordinal)
            .ToList();
        var sources = new List<Source>();
        var skipped = new List<SkippedFile>();
        foreach (var relative in files)
        {
            var text = ReadSource(Path.Combine(folder, relative), out var reason, out var detail);
            if (text is null)
            {
                skipped.Add(new SkippedFile(relative, reason, detail));
                continue;
            }

            sources.Add(new Source(relative, text.Split('\n'), PythonLexer.Lex(text).Lines));
        }

        return (sources, skipped);
    }

    private static int KindSeed(int seed, EvalKind kind) => unchecked((seed * 1_000_003) + (((int)kind + 1) * 7919));

    // The first `count` of a seeded shuffle of 0..n-1 (a partial Fisher-Yates): distinct, in drawing order.
    private static IEnumerable<int> Choose(Random random, int n, int count)
    {
        var order = Enumerable.Range(0, n).ToArray();
        var take = Math.Min(n, count);
        for (var i = 0; i < take; i++)
        {
            var j = random.Next(i, n);
            (order[i], order[j]) = (order[j], order[i]);
            yield return order[i];
        }
    }

    private static IEnumerable<(Source Source, int Line)> LineCandidates(Source source)
    {
        if (source.Lines.Length < 3)
        {
            yield break;
        }

        for (var i = 1; i < source.Lines.Length; i++)
        {
            var trimmed = source.Lines[i].Trim();
            if (trimmed.Length >= 4 && !source.Lexed[i].StartsInString && !trimmed.StartsWith('#') && !OpensTripleQuotedString(trimmed))
            {
                yield return (source, i);
            }
        }
    }

    // Docstrings and other triple-quoted text are prose, not code: """, r""", b''' and so on.
    private static bool OpensTripleQuotedString(string trimmed)
    {
        var quote = trimmed.IndexOfAny(['"', '\'']);
        if (quote < 0 || quote > 2 || (quote > 0 && !PythonLexer.IsStringPrefix(trimmed.AsSpan(0, quote), out _, out _)))
        {
            return false;
        }

        return trimmed.AsSpan(quote).StartsWith(trimmed[quote] == '"' ? "\"\"\"" : "'''", StringComparison.Ordinal);
    }

    private static EvalSample MakeLine(Source source, int lineIndex, EvalKind kind, Random random)
    {
        var lines = source.Lines;
        var line = lines[lineIndex];
        var content = line.TrimStart(' ', '\t');
        var indent = line[..(line.Length - content.Length)];
        var trimmed = content.TrimEnd();
        var typedLength = kind == EvalKind.Fim || random.Next(2) == 0 ? 0 : random.Next(1, Math.Min(10, trimmed.Length - 2));
        var typed = trimmed[..typedLength];
        var before = string.Join('\n', lines.Take(lineIndex)) + "\n" + indent + typed;
        var suffix = kind is EvalKind.Fim or EvalKind.CrossFile ? "\n" + string.Join('\n', lines.Skip(lineIndex + 1)) : string.Empty;
        return new EvalSample(source.File, lineIndex, kind, before, suffix, trimmed[typedLength..], typed, PreviousNonBlank(lines, lineIndex));
    }

    /// <summary>The names each file defines at its top level or as a class's member (functions, classes, assignments).</summary>
    private static Dictionary<string, HashSet<string>> DefinedNames(List<Source> sources)
    {
        var definedIn = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var source in sources)
        {
            foreach (var line in source.Lines)
            {
                var match = Definition().Match(line);
                var name = match.Groups[1].Success ? match.Groups[1].Value : match.Groups[2].Value;
                if (match.Success && name.Length >= MinCrossFileName)
                {
                    if (!definedIn.TryGetValue(name, out var files))
                    {
                        definedIn[name] = files = new HashSet<string>(StringComparer.Ordinal);
                    }

                    files.Add(source.File);
                }
            }
        }

        return definedIn;
    }

    /// <summary>
    /// Whether the line uses a name that another file defines (and this one does not) and that the last
    /// <see cref="CrossFileWindowChars"/> characters before it and the rest after it do not spell.
    /// </summary>
    private static bool UsesNameFromElsewhere(Source source, int line, Dictionary<string, HashSet<string>> definedIn)
    {
        foreach (Match word in Word().Matches(source.Lines[line]))
        {
            if (word.Length >= MinCrossFileName && definedIn.TryGetValue(word.Value, out var files) && !files.Contains(source.File)
                && !Keywords.Contains(word.Value))
            {
                var window = new StringBuilder();
                for (var i = line - 1; i >= 0 && window.Length < CrossFileWindowChars; i--)
                {
                    window.Insert(0, source.Lines[i] + "\n");
                }

                var text = window.ToString();
                var after = string.Join('\n', source.Lines.Skip(line + 1).Take(CrossFileAfterLines));
                if (!Regex.IsMatch(text + "\n" + after, $@"\b{Regex.Escape(word.Value)}\b"))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// Function bodies of at most <see cref="MaxBlockLines"/> lines: after a <c>def</c> (or <c>async def</c>) whose signature
    /// ends in a colon, and after the docstring when the body starts with one; functions whose body is only a docstring are left out.
    /// </summary>
    private static IEnumerable<BlockSpan> BlockCandidates(Source source)
    {
        var lines = source.Lines;
        var lexed = source.Lexed;
        for (var i = 0; i < lines.Length; i++)
        {
            if (!IsStatement(lexed[i]))
            {
                continue;
            }

            var content = lines[i].TrimStart(' ', '\t', '\f');
            if (!content.StartsWith("def ", StringComparison.Ordinal) && !content.StartsWith("async def ", StringComparison.Ordinal))
            {
                continue;
            }

            var defIndent = Indentation.Width(lines[i]);
            var signatureEnd = StatementEnd(lexed, i);
            if (!lexed[signatureEnd].IsBlockOpener)
            {
                continue;
            }

            var bodyStart = NextStatement(lexed, signatureEnd + 1);
            if (bodyStart < 0 || Indentation.Width(lines[bodyStart]) <= defIndent)
            {
                continue;
            }

            var documented = IsDocstring(lines, lexed, bodyStart, out var docstringEnd);
            if (documented)
            {
                bodyStart = NextStatement(lexed, docstringEnd + 1);
                if (bodyStart < 0 || Indentation.Width(lines[bodyStart]) <= defIndent)
                {
                    continue;
                }
            }

            var last = bodyStart;
            for (var k = bodyStart + 1; k < lines.Length; k++)
            {
                if (IsStatement(lexed[k]) && Indentation.Width(lines[k]) <= defIndent)
                {
                    break;
                }

                if (!lexed[k].IsBlank && !lexed[k].IsCommentOnly)
                {
                    last = k;
                }
            }

            if (last - bodyStart + 1 <= MaxBlockLines)
            {
                yield return new BlockSpan(source, bodyStart, last, i, documented);
            }
        }
    }

    private static EvalSample MakeBlock(BlockSpan block)
    {
        var lines = block.Source.Lines;
        var first = lines[block.BodyStart];
        var indent = Indentation.LeadingText(first);
        var body = new List<string> { first[indent.Length..].TrimEnd() };
        body.AddRange(lines[(block.BodyStart + 1)..(block.Last + 1)].Select(line => line.TrimEnd()));
        var prefix = string.Join('\n', lines.Take(block.BodyStart)) + "\n" + indent;
        var suffix = "\n" + string.Join('\n', lines.Skip(block.Last + 1));
        return new EvalSample(block.Source.File, block.BodyStart, EvalKind.Block, prefix, suffix, string.Join('\n', body), string.Empty, PreviousNonBlank(lines, block.BodyStart));
    }

    // The file without the body: the function ends with its docstring, the rest of the file follows.
    private static EvalSample MakeImplement(BlockSpan block)
    {
        var lines = block.Source.Lines;
        var body = MakeBlock(block).Expected;
        var prefix = string.Join('\n', lines.Take(block.BodyStart)).TrimEnd();
        var suffix = "\n" + string.Join('\n', lines.Skip(block.Last + 1));
        return new EvalSample(block.Source.File, block.DefLine, EvalKind.Implement, prefix, suffix, body, string.Empty, PreviousNonBlank(lines, block.DefLine));
    }

    private static bool IsStatement(PythonLine line) => line.StartsLogicalLine && line.IsCode;

    private static int NextStatement(IReadOnlyList<PythonLine> lexed, int from)
    {
        for (var k = from; k < lexed.Count; k++)
        {
            if (IsStatement(lexed[k]))
            {
                return k;
            }
        }

        return -1;
    }

    // The last physical line of the statement that starts at `start` (a signature or string may span several).
    private static int StatementEnd(IReadOnlyList<PythonLine> lexed, int start)
    {
        var end = start;
        while (end + 1 < lexed.Count && !lexed[end + 1].StartsLogicalLine)
        {
            end++;
        }

        return end;
    }

    // A statement that is only a string literal: it starts with an optional prefix and a quote and its last line ends with a quote.
    private static bool IsDocstring(string[] lines, IReadOnlyList<PythonLine> lexed, int start, out int end)
    {
        end = StatementEnd(lexed, start);
        var content = lines[start].TrimStart(' ', '\t', '\f');
        var quote = content.IndexOfAny(['"', '\'']);
        if (quote < 0 || (quote > 0 && !PythonLexer.IsStringPrefix(content.AsSpan(0, quote), out _, out _)))
        {
            return false;
        }

        var closing = lines[end].TrimEnd();
        return closing.EndsWith('"') || closing.EndsWith('\'');
    }

    private static string PreviousNonBlank(string[] lines, int index)
    {
        for (var i = index - 1; i >= 0; i--)
        {
            if (lines[i].Trim().Length > 0)
            {
                return lines[i];
            }
        }

        return string.Empty;
    }

    private sealed record Source(string File, string[] Lines, IReadOnlyList<PythonLine> Lexed);

    private sealed record BlockSpan(Source Source, int BodyStart, int Last, int DefLine, bool Docstring);

    [GeneratedRegex(@"^\s*(?:async\s+def|def|class)\s+([A-Za-z_]\w*)|^([A-Za-z_]\w*)\s*(?::[^=]+)?=(?!=)")]
    private static partial Regex Definition();

    [GeneratedRegex(@"\b[A-Za-z_]\w*\b")]
    private static partial Regex Word();
}

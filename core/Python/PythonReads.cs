using K = CodeAssist.Server.Python.PythonTokenKind;

namespace CodeAssist.Server.Python;

/// <summary>One name a text reads: alone (<c>x</c>), or the last link of an attribute chain (<c>join</c> of <c>os.path.join</c>).</summary>
/// <param name="Start">Offset of the name in the text.</param>
/// <param name="Length">The name's length.</param>
/// <param name="Chain">The chain's names from its head to this one; one name when it is read alone.</param>
/// <param name="Called">Whether it is called (<c>name(</c>).</param>
internal readonly record struct PythonNameRead(int Start, int Length, string[] Chain, bool Called = false)
{
    /// <summary>The name read.</summary>
    public string Name => Chain[^1];
}

/// <summary>
/// The names a stretch of tokenized Python reads: every name token that is not an attribute after a dot (those come
/// as chains), a keyword argument or target before <c>=</c>, part of an import statement, or a soft keyword, and
/// the names read in f-string replacement fields.
/// </summary>
internal static class PythonReads
{
    private static readonly HashSet<string> SoftKeywords = new(StringComparer.Ordinal) { "match", "case", "type", "_" };

    /// <summary>The names read by the tokens that overlap [<paramref name="from"/>, <paramref name="to"/>) of the text.</summary>
    public static List<PythonNameRead> In(PythonTokens tokens, int from, int to)
    {
        var reads = new List<PythonNameRead>();
        Collect(tokens, from, to, 0, reads);
        return reads;
    }

    private static void Collect(PythonTokens tokens, int from, int to, int offset, List<PythonNameRead> reads)
    {
        var list = tokens.Tokens;
        string text = tokens.Text;
        bool import = false;
        for (int i = 0; i < list.Count; i++)
        {
            var token = list[i];
            switch (token.Kind)
            {
                case K.Error or K.EndOfText:
                    return;
                case K.Newline or K.Semicolon:
                    import = false;
                    continue;
                case K.Import:
                    import = true;
                    continue;
                case K.From when IsImportFrom(list, i + 1):
                    import = true;
                    continue;
            }

            if (token.End <= from || token.Start >= to || import)
            {
                continue;
            }

            if (token.Kind == K.String)
            {
                foreach (var (start, length) in PythonFormatFields.Expressions(text, token.Start, token.End))
                {
                    var field = PythonTokenizer.Tokenize(text.Substring(start, length), fragment: true);
                    Collect(field, from - start, to - start, offset + start, reads);
                }

                continue;
            }

            if (token.Kind != K.Name || Next(list, i) is K.Equal or K.ColonEqual)
            {
                continue;
            }

            string name = text.Substring(token.Start, token.Length);
            if (i > 0 && list[i - 1].Kind == K.Dot)
            {
                int head = i;
                while (head >= 2 && list[head - 1].Kind == K.Dot && list[head - 2].Kind == K.Name)
                {
                    head -= 2;
                }

                if (head > 0 && list[head - 1].Kind == K.Dot)
                {
                    continue; // the chain starts at a call, a subscript or a literal: nothing to judge
                }

                var chain = new string[((i - head) / 2) + 1];
                for (int link = 0; link < chain.Length; link++)
                {
                    var part = list[head + (2 * link)];
                    chain[link] = text.Substring(part.Start, part.Length);
                }

                reads.Add(new PythonNameRead(offset + token.Start, token.Length, chain, Next(list, i) == K.LeftParen));
            }
            else if (!SoftKeywords.Contains(name))
            {
                reads.Add(new PythonNameRead(offset + token.Start, token.Length, [name], Next(list, i) == K.LeftParen));
            }
        }
    }

    private static K Next(List<PythonToken> list, int i) => i + 1 < list.Count ? list[i + 1].Kind : K.EndOfText;

    /// <summary>Whether the tokens after a <c>from</c> are a module name and <c>import</c> (not <c>yield from</c> or <c>raise … from</c>).</summary>
    private static bool IsImportFrom(List<PythonToken> list, int i)
    {
        int start = i;
        while (i < list.Count && list[i].Kind is K.Dot or K.Ellipsis or K.Name)
        {
            i++;
        }

        return i > start && i < list.Count && list[i].Kind == K.Import;
    }
}

using CodeAssist.Server.Python;

namespace CodeAssist.Server.Completion;

/// <summary>
/// The names part of the check stage: every name a candidate reads must be bound in the document where the cursor can
/// see it (the module, a class, the functions around the cursor; before or after it — not another function's
/// parameter or local), by the candidate itself, or be a builtin; <c>self.x</c> in a class without
/// bases must be an attribute that class has; <c>os.x</c> for a standard-library module must be a name of it.
/// Code is written top-down, calls before the functions they call: a called name (<c>helper(</c>,
/// <c>self.helper(</c>) may be defined later and passes; a mixin (a class without bases or <c>__init__</c>) gets its
/// attributes from the classes it is mixed into, so <c>self.x</c> in it passes.
/// </summary>
/// <remarks>
/// Whatever cannot be judged passes: a star import from outside the standard library, a module that writes its
/// globals by name, a class with bases or dynamic attributes, third-party modules, a chain through something that is
/// not a module, an upper-case module constant (they differ by platform). The document's bindings come
/// from one tokenizer pass over it (<see cref="PythonNames"/>), once per call.
/// </remarks>
internal static class NameCheck
{
    /// <summary>Names a module has without binding them, and builtins of other platforms that portable code guards.</summary>
    private static readonly HashSet<string> Implicit = new(StringComparer.Ordinal)
    {
        "__name__", "__file__", "__doc__", "__spec__", "__loader__", "__package__", "__builtins__", "__path__",
        "__cached__", "__annotations__", "__dict__", "__class__", "__module__", "__qualname__", "WindowsError",
    };

    /// <summary>
    /// Null when every name <paramref name="candidate"/> reads passes; else why not, and the offset in the candidate
    /// of the offending name. <paramref name="region"/> and <paramref name="lineRest"/> are the syntax check's: the
    /// statement the candidate continues and the rest of the cursor's line. With <paramref name="complete"/> the document
    /// is all there is (a code action writes into a finished file): a called name must be bound too.
    /// </summary>
    public static NameProblem? Find(
        string prefix, string candidate, string suffix, string region, string lineRest, bool complete = false, ModuleNames? modules = null)
    {
        var fragment = PythonTokenizer.Tokenize(region + candidate + lineRest, fragment: true);
        if (ImportedName(fragment, region.Length, region.Length + candidate.Length, modules) is { } missing)
        {
            return new NameProblem($"names: {missing.Reason}", Math.Max(0, missing.Start - region.Length))
            {
                Mend = Mend(fragment.Text, region.Length, candidate.Length, missing.Start, missing.Name, missing.Offered),
            };
        }

        var reads = PythonReads.In(fragment, region.Length, region.Length + candidate.Length);
        if (reads.Count == 0)
        {
            return null;
        }

        // The candidate's own bindings, and those of the statement it continues (a parameter list over several lines).
        // When the cursor's line starts a top-level statement of its own, the region's earlier lines are another
        // statement's, bound by the document with their scopes (a loop variable of the function above is not this line's).
        var document = DocumentBindings(prefix, suffix);
        var own = new PythonBindings();
        int lineStart = region.LastIndexOf('\n') + 1;
        bool ownStatement = lineStart > 0 && fragment.Text.Length > lineStart && CandidateCheck.StartsStatement(fragment.Text[lineStart]);
        PythonNames.BindFragment(own, ownStatement ? PythonTokenizer.Tokenize(fragment.Text[lineStart..], fragment: true) : fragment);
        foreach (var read in reads)
        {
            if (Judge(read, document, own, prefix.Length, complete, modules, out var offered) is { } reason)
            {
                return new NameProblem($"names: {reason}", Math.Max(0, Cut(fragment.Text, read) - region.Length))
                {
                    Mend = offered is null ? null : Mend(fragment.Text, region.Length, candidate.Length, read.Start, read.Name, offered),
                };
            }
        }

        return null;
    }

    /// <summary>
    /// The candidate with a missing module attribute <paramref name="name"/> (at <paramref name="start"/> of the fragment)
    /// replaced by the name of <paramref name="offered"/> it most likely meant (<see cref="Nearest"/>), when the candidate
    /// wrote the part that differs; null otherwise. <c>ft.ShellContextProcessorCliRunner</c> becomes
    /// <c>ft.ShellContextProcessorCallable</c>: the model knew the start of the name and invented its end.
    /// </summary>
    private static string? Mend(string fragment, int candidateStart, int candidateLength, int start, string name, IReadOnlySet<string> offered)
    {
        var typed = Math.Max(0, candidateStart - start); // the name's start the user typed, which the mended name must keep
        if (start + name.Length > candidateStart + candidateLength || Nearest(name, offered, typed) is not { } nearest)
        {
            return null;
        }

        var from = Math.Max(start, candidateStart);
        return string.Concat(
            fragment.AsSpan(candidateStart, from - candidateStart), nearest.AsSpan(from - start), fragment.AsSpan(start + name.Length, candidateStart + candidateLength - start - name.Length));
    }

    /// <summary>
    /// The name of <paramref name="offered"/> that <paramref name="invented"/> most likely meant: the one sharing the
    /// longest start with it — at least <paramref name="keep"/> characters and half of it, three at least — then the
    /// nearest by edit distance, then the shortest. Private names only for a private one. Null when none is that close.
    /// </summary>
    internal static string? Nearest(string invented, IEnumerable<string> offered, int keep = 0)
    {
        string? best = null;
        int bestCommon = 0, bestDistance = int.MaxValue;
        var needed = Math.Max(keep, Math.Max(3, (invented.Length + 1) / 2));
        foreach (var name in offered)
        {
            if (name == invented || (name.StartsWith('_') && !invented.StartsWith('_')))
            {
                continue;
            }

            var common = 0;
            while (common < name.Length && common < invented.Length && name[common] == invented[common])
            {
                common++;
            }

            if (common < needed || common < bestCommon)
            {
                continue;
            }

            var distance = TextSimilarity.Levenshtein(invented, name);
            if (common > bestCommon || distance < bestDistance || (distance == bestDistance && (name.Length < best!.Length || (name.Length == best.Length && string.CompareOrdinal(name, best) < 0))))
            {
                (best, bestCommon, bestDistance) = (name, common, distance);
            }
        }

        return best;
    }

    /// <summary>
    /// A name that a <c>from m import …</c> statement of the fragment imports, written by the candidate (the tokens
    /// overlapping [<paramref name="from"/>, <paramref name="to"/>)), that module <c>m</c> does not have: a workspace
    /// module of <paramref name="modules"/> or a standard-library one. Its reason and offset; null when there is none.
    /// </summary>
    private static (string Reason, int Start, string Name, IReadOnlySet<string> Offered)? ImportedName(PythonTokens fragment, int from, int to, ModuleNames? modules)
    {
        var tokens = fragment.Tokens;
        var text = fragment.Text;
        for (var i = 0; i < tokens.Count; i++)
        {
            if (tokens[i].Kind != PythonTokenKind.From)
            {
                continue;
            }

            var j = i + 1;
            var module = new System.Text.StringBuilder();
            while (j < tokens.Count && tokens[j].Kind is PythonTokenKind.Dot or PythonTokenKind.Ellipsis or PythonTokenKind.Name)
            {
                module.Append(text, tokens[j].Start, tokens[j].Length);
                j++;
            }

            if (j >= tokens.Count || tokens[j].Kind != PythonTokenKind.Import || module.Length == 0)
            {
                continue;
            }

            var spelled = module.ToString();
            var workspace = modules?.Knows(spelled) == true;
            var names = workspace ? modules!.NamesOf(spelled) : spelled.StartsWith('.') ? null : StandardLibrary.Names(spelled);
            for (j++; j < tokens.Count && tokens[j].Kind is PythonTokenKind.Name or PythonTokenKind.Comma or PythonTokenKind.LeftParen or PythonTokenKind.RightParen or PythonTokenKind.As; j++)
            {
                var token = tokens[j];
                if (names is null || token.Kind != PythonTokenKind.Name || tokens[j - 1].Kind == PythonTokenKind.As || token.End <= from || token.Start >= to)
                {
                    continue; // not judged, an alias, or not the candidate's
                }

                var name = text.Substring(token.Start, token.Length);
                bool has = names.Contains(name) || names.Contains("__getattr__") || IsDunder(name)
                    || (workspace ? modules!.Knows(ModuleNames.Join(spelled, name)) : StandardLibrary.IsModule($"{spelled}.{name}") || IsConstant(name));
                if (!has)
                {
                    return ($"cannot import name '{name}' from '{spelled}'", token.Start, name, workspace ? modules!.AttributesOf(spelled) : names);
                }
            }
        }

        return null;
    }

    private static bool IsDunder(string name) => name.Length > 4 && name.StartsWith("__", StringComparison.Ordinal) && name.EndsWith("__", StringComparison.Ordinal);

    private static bool IsConstant(string name) => name.Any(char.IsAsciiLetterUpper) && !name.Any(char.IsAsciiLetterLower);

    /// <summary>Where the candidate is cut for a bad read: before the name, or before the dot of an attribute.</summary>
    private static int Cut(string text, PythonNameRead read)
    {
        int cut = read.Start;
        if (read.Chain.Length > 1)
        {
            cut = text.LastIndexOf('.', cut - 1);
        }

        return cut;
    }

    /// <summary>Whether a name read alone is bound: by the document, as a builtin, or implicitly (<c>__file__</c>).</summary>
    internal static bool IsBound(string name, PythonBindings document) =>
        document.Binds(name) || StandardLibrary.Builtins.Contains(name) || Implicit.Contains(name);

    /// <summary>
    /// What the document binds, and where (<see cref="PythonBindings.VisibleAt"/>): the text around the cursor read whole
    /// when it tokenizes; else, when the cursor's line has text, with that line as a neutral statement at its indentation
    /// (<c>print(</c> leaves a bracket open), its own bindings added as visible everywhere; else piece by piece, the
    /// cursor's line kept apart, without scopes. A blank line at the end of a function counts as the function's (the
    /// candidate may indent): what is judged there is only what no function around it binds.
    /// </summary>
    internal static PythonBindings DocumentBindings(string prefix, string suffix)
    {
        int lineStart = prefix.LastIndexOf('\n') + 1;
        int newline = suffix.IndexOf('\n', StringComparison.Ordinal);
        int lineEnd = newline < 0 ? suffix.Length : newline + 1;
        string before = prefix[..lineStart], line = prefix[lineStart..] + suffix[..lineEnd], after = suffix[lineEnd..];
        // A blank line stays as it is: the candidate may write its own indentation, so which block it joins is open.
        bool blank = string.IsNullOrWhiteSpace(line);
        if (PythonNames.BindWhole(prefix + suffix) is { } whole)
        {
            return whole;
        }

        if (!blank && PythonNames.BindWhole(before + Neutral(line) + after) is { } neutral)
        {
            PythonNames.BindLeniently(neutral, line, lineStart);
            return neutral;
        }

        return PythonNames.Bind(prefix + suffix, before, line, after);
    }

    /// <summary>
    /// The cursor's line (not blank) as a statement that binds nothing at the same indentation, padded to its length, so
    /// that offsets stay those of the document.
    /// </summary>
    private static string Neutral(string line)
    {
        var body = line.TrimEnd('\n', '\r');
        int indent = body.Length - body.TrimStart(' ', '\t').Length;
        return string.Concat(body.AsSpan(0, indent), "0".PadRight(body.Length - indent), line.AsSpan(body.Length));
    }

    private static string? Judge(PythonNameRead read, PythonBindings document, PythonBindings own, int cursor, bool complete, ModuleNames? modules, out IReadOnlySet<string>? offered)
    {
        offered = null;
        var chain = read.Chain;
        if (read.Called && !complete && (chain.Length == 1 || chain[0] is "self" or "cls"))
        {
            return null; // a function or method not written yet
        }

        if (chain.Length == 1)
        {
            string name = chain[0];
            bool bound = own.Binds(name) || document.VisibleAt(name, cursor) || StandardLibrary.Builtins.Contains(name) || Implicit.Contains(name)
                || document.UnknownStarImport || own.UnknownStarImport || document.DynamicGlobals;
            if (bound)
            {
                return null;
            }

            var owners = document.OnlyLocalTo(name).ToList();
            return owners.Count == 0 ? $"'{name}' is not bound" : $"'{name}' is not bound here (only in {string.Join(", ", owners.Take(3))})";
        }

        return chain is ["self" or "cls", var attribute] ? JudgeSelf(attribute, document, own, cursor)
            : JudgeModule(chain, document, own, out offered) ?? (modules is null ? null : JudgeWorkspaceModule(chain, document, own, modules, out offered));
    }

    /// <summary>
    /// <c>models.Ordr</c> where <c>models</c> is imported from one of the workspace's modules (and bound no other way)
    /// and that module binds no <c>Ordr</c> and has no such submodule; a chain of submodules is followed
    /// (<c>shop.models.Ordr</c>). What is not a workspace module, or not judgeable, passes.
    /// </summary>
    private static string? JudgeWorkspaceModule(string[] chain, PythonBindings document, PythonBindings own, ModuleNames modules, out IReadOnlySet<string>? offered)
    {
        offered = null;
        string head = chain[0];
        if (document.ModuleOf(head) is not null || own.ModuleOf(head) is not null || document.Rebound.Contains(head) || own.Rebound.Contains(head))
        {
            return null;
        }

        var module = document.ImportedModules.GetValueOrDefault(head) ?? own.ImportedModules.GetValueOrDefault(head);
        for (int link = 1; module is not null && link < chain.Length; link++)
        {
            if (!modules.Knows(module) || modules.NamesOf(module) is not { } names)
            {
                return null; // not a workspace module (a class imported from one, a third-party module), or any name may be bound
            }

            string attribute = chain[link];
            var submodule = ModuleNames.Join(module, attribute);
            if (modules.Knows(submodule))
            {
                module = submodule;
                continue;
            }

            if (names.Contains(attribute) || IsDunder(attribute))
            {
                return null;
            }

            offered = modules.AttributesOf(module);
            return $"module '{module}' has no attribute '{attribute}'";
        }

        return null;
    }

    private static string? JudgeSelf(string attribute, PythonBindings document, PythonBindings own, int cursor)
    {
        if (document.ClassAt(cursor) is not { Judgeable: true } owner || !owner.Attributes.Contains("__init__") || (attribute.StartsWith("__", StringComparison.Ordinal) && attribute.EndsWith("__", StringComparison.Ordinal)))
        {
            return null;
        }

        bool has = owner.Attributes.Contains(attribute) || document.Members.Contains(attribute) || own.Members.Contains(attribute) || own.Names.Contains(attribute);
        return has ? null : $"class '{owner.Name}' has no attribute '{attribute}'";
    }

    private static string? JudgeModule(string[] chain, PythonBindings document, PythonBindings own, out IReadOnlySet<string>? offered)
    {
        offered = null;
        string head = chain[0];
        var module = document.ModuleAliases.GetValueOrDefault(head) ?? own.ModuleAliases.GetValueOrDefault(head);
        if (module is null || document.OtherwiseBound.Contains(head) || own.OtherwiseBound.Contains(head))
        {
            return null;
        }

        for (int link = 1; link < chain.Length - 1; link++)
        {
            module = $"{module}.{chain[link]}";
            if (!StandardLibrary.IsModule(module))
            {
                return null; // an attribute that is not a module: what it has is unknown
            }
        }

        string attribute = chain[^1];
        if (IsConstant(attribute))
        {
            return null; // constants differ by platform and build (os.O_BINARY, os.RTLD_MEMBER): the table has one
        }

        var names = StandardLibrary.Names(module);
        bool has = names is null || names.Contains(attribute) || names.Contains("__getattr__") || StandardLibrary.IsModule($"{module}.{attribute}");
        offered = has ? null : names;
        return has ? null : $"module '{module}' has no attribute '{attribute}'";
    }
}

/// <summary>A name the names check refused: why, where the candidate is cut for it, and the candidate mended (the name it most likely meant), when there is one.</summary>
/// <param name="Reason">Why, <c>names: …</c>.</param>
/// <param name="Offset">Where in the candidate its valid start ends: before the name, or before the dot of an attribute.</param>
internal sealed record NameProblem(string Reason, int Offset)
{
    /// <summary>The whole candidate with the missing name replaced by the nearest one the module has; null when none is near.</summary>
    public string? Mend { get; init; }
}

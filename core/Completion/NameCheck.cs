using CodeAssist.Server.Python;

namespace CodeAssist.Server.Completion;

/// <summary>
/// The names part of the check stage: every name a candidate reads must be bound somewhere in the document (any
/// scope, before or after the cursor), by the candidate itself, or be a builtin; <c>self.x</c> in a class without
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
    public static (string Reason, int Offset)? Find(string prefix, string candidate, string suffix, string region, string lineRest, bool complete = false)
    {
        var fragment = PythonTokenizer.Tokenize(region + candidate + lineRest, fragment: true);
        var reads = PythonReads.In(fragment, region.Length, region.Length + candidate.Length);
        if (reads.Count == 0)
        {
            return null;
        }

        var document = DocumentBindings(prefix, suffix);
        var own = new PythonBindings();
        PythonNames.BindFragment(own, fragment);
        foreach (var read in reads)
        {
            if (Judge(read, document, own, prefix.Length, complete) is { } reason)
            {
                return ($"names: {reason}", Math.Max(0, Cut(fragment.Text, read) - region.Length));
            }
        }

        return null;
    }

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

    /// <summary>What the document binds: the text around the cursor, with the cursor's line kept apart should the whole not tokenize.</summary>
    internal static PythonBindings DocumentBindings(string prefix, string suffix)
    {
        int lineStart = prefix.LastIndexOf('\n') + 1;
        int lineEnd = suffix.IndexOf('\n', StringComparison.Ordinal) + 1;
        return PythonNames.Bind(prefix + suffix, prefix[..lineStart], prefix[lineStart..] + suffix[..lineEnd], suffix[lineEnd..]);
    }

    private static string? Judge(PythonNameRead read, PythonBindings document, PythonBindings own, int cursor, bool complete)
    {
        var chain = read.Chain;
        if (read.Called && !complete && (chain.Length == 1 || chain[0] is "self" or "cls"))
        {
            return null; // a function or method not written yet
        }

        if (chain.Length == 1)
        {
            string name = chain[0];
            bool bound = own.Binds(name) || document.Binds(name) || StandardLibrary.Builtins.Contains(name) || Implicit.Contains(name)
                || document.UnknownStarImport || own.UnknownStarImport || document.DynamicGlobals;
            return bound ? null : $"'{name}' is not bound";
        }

        return chain is ["self" or "cls", var attribute] ? JudgeSelf(attribute, document, own, cursor) : JudgeModule(chain, document, own);
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

    private static string? JudgeModule(string[] chain, PythonBindings document, PythonBindings own)
    {
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
        return has ? null : $"module '{module}' has no attribute '{attribute}'";
    }
}

using System.Collections.Frozen;

namespace CodeAssist.Server.Python;

/// <summary>
/// What the check stage knows of the user's own modules, for one document: each module its imports name or that sits
/// beside it, spelled as an import in that document would spell it (<c>shop.models</c>, <c>.models</c>,
/// <c>..util</c>), with every name the module binds when those can be known. <c>models.Ordr</c> or
/// <c>from .models import Ordr</c> for a module that binds no <c>Ordr</c> is then a name that does not exist.
/// </summary>
/// <remarks>
/// A module's names are every name its text binds at any scope (<see cref="PythonNames"/>), its package's submodules
/// for an <c>__init__.py</c>: a superset of its attributes, so a real one is never refused. A module that can bind any
/// name (a star import from outside the standard library, <c>globals()</c> writes, a module <c>__getattr__</c>) is known
/// as a module but not judged.
/// </remarks>
public sealed class ModuleNames
{
    private readonly IReadOnlyDictionary<string, Module> _modules;

    /// <summary>Holds <paramref name="modules"/>: spelled module → what it binds.</summary>
    public ModuleNames(IReadOnlyDictionary<string, Module> modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        _modules = modules;
    }

    /// <summary>No module known: nothing is judged.</summary>
    public static ModuleNames None { get; } = new(FrozenDictionary<string, Module>.Empty);

    /// <summary>How many modules are known.</summary>
    public int Count => _modules.Count;

    /// <summary>Whether <paramref name="module"/> (as the document spells it) is one of the workspace's modules.</summary>
    public bool Knows(string module) => _modules.ContainsKey(module);

    /// <summary>Every name <paramref name="module"/> binds, at any scope; null when it is not known or can bind any name.</summary>
    public IReadOnlySet<string>? NamesOf(string module) => _modules.GetValueOrDefault(module)?.Bound;

    /// <summary>The modules, as the document would spell them.</summary>
    public IEnumerable<string> Modules => _modules.Keys;

    /// <summary>The names <paramref name="module"/> defines itself at its top level (not the ones it imports); empty when unknown.</summary>
    public IReadOnlySet<string> DefinedBy(string module) => _modules.GetValueOrDefault(module)?.Defined ?? FrozenSet<string>.Empty;

    /// <summary>The names <paramref name="module"/> offers those who import it (top-level definitions, assignments, imports, submodules): what a wrong name is mended to.</summary>
    public IReadOnlySet<string> AttributesOf(string module) => _modules.GetValueOrDefault(module)?.Attributes ?? FrozenSet<string>.Empty;

    /// <summary>
    /// The module <c>from <paramref name="module"/> import <paramref name="name"/></c> names when that name is a
    /// submodule, as imports spell it: <c>.</c> + <c>x</c> is <c>.x</c>, <c>.a</c> + <c>x</c> is <c>.a.x</c>.
    /// </summary>
    public static string Join(string module, string name)
    {
        ArgumentNullException.ThrowIfNull(module);
        return module.Length == 0 || module.EndsWith('.') ? module + name : $"{module}.{name}";
    }

    /// <summary>
    /// What a module's <paramref name="text"/> binds: every name at any scope with <paramref name="submodules"/> (a
    /// package's), null when it can bind any name; the names it offers, <paramref name="topLevel"/> (every bound name
    /// when null) with the submodules; and of those the ones it defines itself, <paramref name="defined"/> (all it
    /// offers when null), not imports it passes on.
    /// </summary>
    public static Module Read(string text, IEnumerable<string> submodules, IEnumerable<string>? topLevel = null, IEnumerable<string>? defined = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Read(PythonNames.Bind(text), submodules, topLevel, defined);
    }

    /// <summary>As <see cref="Read(string, IEnumerable{string}, IEnumerable{string}?, IEnumerable{string}?)"/>, from the module's bindings found already.</summary>
    internal static Module Read(PythonBindings bindings, IEnumerable<string> submodules, IEnumerable<string>? topLevel, IEnumerable<string>? defined = null)
    {
        ArgumentNullException.ThrowIfNull(submodules);
        var children = submodules.ToList();
        var all = bindings.Names.Concat(children).ToFrozenSet(StringComparer.Ordinal);
        var dynamic = bindings.UnknownStarImport || bindings.DynamicGlobals || bindings.Names.Contains("__getattr__");
        var attributes = topLevel is null ? all : topLevel.Concat(children).Where(all.Contains).ToFrozenSet(StringComparer.Ordinal);
        var own = defined is null ? attributes : defined.Where(attributes.Contains).ToFrozenSet(StringComparer.Ordinal);
        return new Module(dynamic ? null : all, attributes) { Defined = own };
    }

    /// <summary>One module: every name it binds (null: any name may be), and the names it offers importers.</summary>
    public sealed record Module(FrozenSet<string>? Bound, FrozenSet<string> Attributes)
    {
        /// <summary>The names it offers that it defines itself (a def, a class, an assignment at the top), not ones it imports.</summary>
        public FrozenSet<string> Defined { get; init; } = Attributes;
    }
}

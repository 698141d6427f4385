using System.Collections.Frozen;
using CodeAssist.Server.Python;

namespace CodeAssist.Server.Context;

/// <summary>
/// The names the workspace's modules bind, for the check stage (<see cref="ModuleNames"/>): for one document, the
/// modules its imports name, the modules beside it (its folder's package, modules and packages) and, in a subpackage, the
/// package above's, each spelled as an import in that document spells it. Built in the background with the document's imports (<see cref="WorkspaceContext"/>);
/// a module is read through <paramref name="surface"/> (an open document's text, else the file's cached surface).
/// </summary>
internal sealed class WorkspaceModules(WorkspaceFiles files, Func<string, ModuleSurface?> surface)
{
    /// <summary>Modules beside the document that are read at most (a folder of generated modules is cut here).</summary>
    public const int MaxSiblings = 200;

    /// <summary>The modules <paramref name="imports"/> of the file at <paramref name="path"/> name, and those beside it, with their names. Reads files: off the request path.</summary>
    public ModuleNames For(string path, IReadOnlyList<PythonImport> imports)
    {
        var all = files.Files();
        var modules = new Dictionary<string, ModuleNames.Module>(StringComparer.Ordinal);
        foreach (var import in imports)
        {
            var spelled = new string('.', import.Level) + import.Module;
            if (import.Name is null)
            {
                // import a.b.c binds a: a, a.b and a.b.c are its links.
                var parts = import.Module.Split('.');
                for (var i = 1; i <= parts.Length; i++)
                {
                    var link = string.Join('.', parts[..i]);
                    Add(modules, link, files.Resolve(path, link, 0), all);
                }

                continue;
            }

            if (spelled.Length > 0)
            {
                Add(modules, spelled, files.Resolve(path, import.Module, import.Level), all);
            }

            if (import.Name != "*")
            {
                var submodule = import.Module.Length == 0 ? import.Name : $"{import.Module}.{import.Name}";
                Add(modules, ModuleNames.Join(spelled, import.Name), files.Resolve(path, submodule, import.Level), all);
            }
        }

        if (Path.GetDirectoryName(path) is { } folder)
        {
            Add(modules, ".", files.Resolve(path, string.Empty, 1), all); // its package, whose submodules are its siblings
            var siblings = 0;
            foreach (var (name, file) in Children(folder, all))
            {
                if (file != path && siblings++ < MaxSiblings)
                {
                    Add(modules, "." + name, file, all);
                }
            }

            // A subpackage's modules import from the package above it too (from ..http import …): its modules as well.
            if (files.Resolve(path, string.Empty, 1) is not null && files.Resolve(path, string.Empty, 2) is { } parentPackage
                && Path.GetDirectoryName(folder) is { } parent)
            {
                Add(modules, "..", parentPackage, all);
                var cousins = 0;
                foreach (var (name, file) in Children(parent, all))
                {
                    if (cousins++ < MaxSiblings)
                    {
                        Add(modules, ".." + name, file, all);
                    }
                }
            }
        }

        return modules.Count == 0 ? ModuleNames.None : new ModuleNames(modules.ToFrozenDictionary(StringComparer.Ordinal));
    }

    private void Add(Dictionary<string, ModuleNames.Module> modules, string spelled, string? file, IReadOnlyList<string> all)
    {
        if (file is null || modules.ContainsKey(spelled))
        {
            return;
        }

        if (Read(file, all) is { } module)
        {
            modules[spelled] = module;
        }
    }

    /// <summary>What the module at <paramref name="file"/> binds; null when it cannot be read.</summary>
    private ModuleNames.Module? Read(string file, IReadOnlyList<string> all)
    {
        if (surface(file) is not { } module)
        {
            return null;
        }

        var submodules = Path.GetFileName(file) == "__init__.py" && Path.GetDirectoryName(file) is { } folder ? Children(folder, all).Select(c => c.Name) : [];
        return ModuleNames.Read(module.Bindings(), submodules, module.Offered(), module.Names);
    }

    /// <summary>The modules directly in <paramref name="folder"/>: <c>x.py</c> as x, and packages <c>x/__init__.py</c> as x (a module file first).</summary>
    private static IEnumerable<(string Name, string File)> Children(string folder, IReadOnlyList<string> all)
    {
        var start = folder + Path.DirectorySeparatorChar;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var packages = new List<(string, string)>();
        for (var i = LowerBound(all, start); i < all.Count && all[i].StartsWith(start, StringComparison.Ordinal); i++)
        {
            var rest = all[i].AsSpan(start.Length);
            var separator = rest.IndexOf(Path.DirectorySeparatorChar);
            if (separator < 0)
            {
                var name = Path.GetFileNameWithoutExtension(all[i]);
                if (name != "__init__" && seen.Add(name))
                {
                    yield return (name, all[i]);
                }
            }
            else if (rest[(separator + 1)..].SequenceEqual("__init__.py"))
            {
                packages.Add((rest[..separator].ToString(), all[i]));
            }
        }

        foreach (var (name, file) in packages)
        {
            if (seen.Add(name))
            {
                yield return (name, file);
            }
        }
    }

    /// <summary>The first index of the ordinally sorted <paramref name="all"/> not before <paramref name="value"/>.</summary>
    private static int LowerBound(IReadOnlyList<string> all, string value)
    {
        int low = 0, high = all.Count;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (string.CompareOrdinal(all[middle], value) < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }
}

namespace CodeAssist.Server.Python;

/// <summary>
/// The names a Python text binds, at any scope, as <see cref="PythonNames"/> finds them: what a name read elsewhere
/// in the same file may refer to, which names are standard-library modules, and what each class's instances have.
/// </summary>
internal sealed class PythonBindings
{
    /// <summary>Every name bound anywhere: targets, parameters, definitions, imports, globals, captures.</summary>
    public HashSet<string> Names { get; } = new(StringComparer.Ordinal);

    /// <summary>Whether a <c>from m import *</c> names a module outside the standard-library table, so any name may be bound.</summary>
    public bool UnknownStarImport { get; set; }

    /// <summary>Whether the text writes module globals by name (<c>globals()</c>, <c>Enum._convert_</c>), so any name may be bound.</summary>
    public bool DynamicGlobals { get; set; }

    /// <summary>Attributes assigned on <c>self</c> or <c>cls</c> anywhere (<c>self.x = …</c>, augmented, tuple and <c>as</c> targets).</summary>
    public HashSet<string> SelfAttributes { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Attributes assigned on anything (<c>request.cls.array = …</c>) and every class's members: a mixin's
    /// <c>self.x</c> may be what a class it is mixed into defines.
    /// </summary>
    public HashSet<string> Members { get; } = new(StringComparer.Ordinal);

    /// <summary>The classes, when their extent is known (the text tokenized whole); empty otherwise.</summary>
    public List<PythonClassBindings> Classes { get; } = [];

    /// <summary>Names an import binds to a standard-library module: <c>os</c> for <c>import os</c>, <c>ET</c> for <c>import xml.etree.ElementTree as ET</c>.</summary>
    internal Dictionary<string, string> ModuleAliases { get; } = new(StringComparer.Ordinal);

    /// <summary>Names bound some other way too (an assignment, a parameter, another import), which a module alias then does not decide.</summary>
    internal HashSet<string> OtherwiseBound { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Names an import binds to something outside the standard library that may be a module, as the import spells it:
    /// <c>models</c> for <c>from . import models</c> is <c>.models</c>, <c>m</c> for <c>import shop.models as m</c> is
    /// <c>shop.models</c>, <c>Order</c> for <c>from .models import Order</c> is <c>.models.Order</c> (a class, unless
    /// the workspace has such a module). A name imported twice differently is left out.
    /// </summary>
    internal Dictionary<string, string> ImportedModules { get; } = new(StringComparer.Ordinal);

    /// <summary>Names bound other than by an import (an assignment, a parameter, a definition), which an import then does not decide.</summary>
    internal HashSet<string> Rebound { get; } = new(StringComparer.Ordinal);

    private readonly HashSet<string> _ambiguousImports = new(StringComparer.Ordinal);

    /// <summary>Whether the text was read whole, so that the function each name is bound in is known (<see cref="VisibleAt"/>).</summary>
    public bool ScopesKnown { get; set; }

    /// <summary>Names bound at least once outside every function body: at module or class level, or declared <c>global</c>.</summary>
    internal HashSet<string> OutsideFunctions { get; } = new(StringComparer.Ordinal);

    /// <summary>For a name bound in function bodies: those functions (a parameter, a local, a nested definition).</summary>
    internal Dictionary<string, List<PythonFunctionScope>> FunctionLocals { get; } = new(StringComparer.Ordinal);

    /// <summary>The standard-library module <paramref name="name"/> stands for, when every binding of it here is an import of that module.</summary>
    public string? ModuleOf(string name) =>
        ModuleAliases.TryGetValue(name, out var module) && !OtherwiseBound.Contains(name) ? module : null;

    /// <summary>Whether <paramref name="name"/> is bound here and is not only a standard-library module.</summary>
    public bool Binds(string name) => Names.Contains(name);

    /// <summary>
    /// Whether a read of <paramref name="name"/> at <paramref name="offset"/> can see a binding of it: one outside every
    /// function, or one in a function whose extent holds the offset (its own body or an enclosing one). A parameter or
    /// local of another function is not visible (<c>path</c> of <c>read_lines(path)</c> in <c>main</c>). When scopes
    /// are unknown (the text did not tokenize whole), any binding counts.
    /// </summary>
    public bool VisibleAt(string name, int offset)
    {
        if (!Names.Contains(name))
        {
            return false;
        }

        return !ScopesKnown || OutsideFunctions.Contains(name)
            || (FunctionLocals.TryGetValue(name, out var scopes) && scopes.Exists(scope => scope.Holds(offset)));
    }

    /// <summary>The functions whose bodies alone bind <paramref name="name"/>, for a message; empty when it is bound elsewhere too.</summary>
    public IEnumerable<string> OnlyLocalTo(string name) =>
        ScopesKnown && !OutsideFunctions.Contains(name) && FunctionLocals.TryGetValue(name, out var scopes) ? scopes.Select(s => s.Name).Distinct(StringComparer.Ordinal) : [];

    /// <summary>Records <paramref name="name"/> as bound in <paramref name="function"/>'s body, or outside every function (null).</summary>
    private void Scope(string name, PythonFunctionScope? function)
    {
        if (function is null)
        {
            OutsideFunctions.Add(name);
        }
        else if (!FunctionLocals.TryGetValue(name, out var scopes))
        {
            FunctionLocals[name] = [function];
        }
        else if (!scopes.Contains(function))
        {
            scopes.Add(function);
        }
    }

    /// <summary>Records a <c>global</c> declaration: the name is a module binding, wherever it is assigned.</summary>
    public void BindGlobal(string name)
    {
        Bind(name);
        OutsideFunctions.Add(name);
    }

    /// <summary>The innermost class whose body holds <paramref name="offset"/>; null when none does or extents are unknown.</summary>
    public PythonClassBindings? ClassAt(int offset)
    {
        PythonClassBindings? found = null;
        foreach (var candidate in Classes)
        {
            if (candidate.Start < offset && offset <= candidate.End && (found is null || candidate.Start > found.Start))
            {
                found = candidate;
            }
        }

        return found;
    }

    /// <summary>Records a binding that is not an import of a standard-library module, in <paramref name="function"/>'s body or outside every function (null).</summary>
    public void Bind(string name, PythonFunctionScope? function = null)
    {
        Names.Add(name);
        Scope(name, function);
        OtherwiseBound.Add(name);
        Rebound.Add(name);
    }

    /// <summary>Records <paramref name="name"/> bound by an import of <paramref name="module"/>, in <paramref name="function"/>'s body or outside every function (null).</summary>
    public void BindModule(string name, string module, PythonFunctionScope? function = null)
    {
        Names.Add(name);
        Scope(name, function);
        if (!StandardLibrary.IsModule(module) || (ModuleAliases.TryGetValue(name, out var other) && other != module))
        {
            OtherwiseBound.Add(name);
            if (!StandardLibrary.IsModule(module) && !_ambiguousImports.Contains(name) && !ImportedModules.TryAdd(name, module) && ImportedModules[name] != module)
            {
                ImportedModules.Remove(name);
                _ambiguousImports.Add(name);
            }

            return;
        }

        ModuleAliases[name] = module;
    }
}

/// <summary>One function of a text, for judging which names a read inside or outside it can see.</summary>
/// <param name="Name">The function's name.</param>
/// <param name="Start">Offset of its <c>def</c> keyword.</param>
internal sealed record PythonFunctionScope(string Name, int Start)
{
    /// <summary>Offset where its body ends (the first token after it); <see cref="int.MaxValue"/> when it runs to the text's end.</summary>
    public int End { get; set; } = int.MaxValue;

    /// <summary>Whether <paramref name="offset"/> lies in its header or body (a cursor where the next statement starts does not).</summary>
    public bool Holds(int offset) => Start < offset && offset < End;
}

/// <summary>One class of a text, for judging <c>self.attr</c> in its methods.</summary>
/// <param name="Name">The class's name.</param>
/// <param name="Start">Offset of its <c>class</c> keyword.</param>
internal sealed record PythonClassBindings(string Name, int Start)
{
    /// <summary>Offset where its body ends (the first token after it), or the text's length.</summary>
    public int End { get; set; } = int.MaxValue;

    /// <summary>Whether it names a base class (other than <c>object</c>) or a keyword such as <c>metaclass=</c>: what instances have is then unknown.</summary>
    public bool HasBases { get; set; }

    /// <summary>Whether its body uses <c>__getattr__</c>, <c>__slots__</c>, <c>__dict__</c>, <c>setattr</c> and the like: attributes may come from anywhere.</summary>
    public bool Dynamic { get; set; }

    /// <summary>Methods, class attributes, and attributes assigned on <c>self</c> or <c>cls</c> in its body.</summary>
    public HashSet<string> Attributes { get; } = new(StringComparer.Ordinal);

    /// <summary>Whether what its instances have can be told from its body alone.</summary>
    public bool Judgeable => !HasBases && !Dynamic;
}

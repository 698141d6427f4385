using System.Text;
using System.Text.RegularExpressions;
using CodeAssist.Server.Python;

namespace CodeAssist.Server.Context;

/// <summary>
/// What another module offers the code that imports it, as Python text: the signatures of its functions and classes
/// with their docstrings' first line, a class's methods and the attributes its methods assign on <c>self</c>, and
/// module-level and class-level constants, and each public method as a call (<c>self.total_with_tax(</c>),
/// the tokens code that calls it has. The copy model finds names and call shapes in it that the current file may never
/// spell.
/// </summary>
public sealed partial class ModuleSurface
{
    private const int MaxLineChars = 160;

    private readonly string _text;
    private readonly IReadOnlyList<PythonLine> _lines;
    private readonly PythonOutline _outline;
    private readonly Dictionary<string, PythonDefinition> _topLevel = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _assignments = new(StringComparer.Ordinal);
    private IReadOnlyList<PythonImport>? _imports;
    private PythonBindings? _bindings;

    private ModuleSurface(string text)
    {
        _text = text;
        _lines = PythonLexer.Lex(text).Lines;
        _outline = PythonOutline.Analyze(text);
        foreach (var definition in _outline.Definitions.Where(d => d.IndentText.Length == 0))
        {
            if (NameOf(definition) is { } name)
            {
                _topLevel[name] = definition;
            }
        }

        for (var i = 0; i < _lines.Count; i++)
        {
            if (_lines[i].StartsLogicalLine && _lines[i].IsCode && AssignedName(Line(i)) is { } assigned && !char.IsWhiteSpace(Line(i)[0]))
            {
                _assignments.TryAdd(assigned, i);
            }
        }
    }

    /// <summary>Reads a module's text.</summary>
    public static ModuleSurface Of(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new ModuleSurface(text);
    }

    /// <summary>The names the module defines at its top level (functions, classes, assignments).</summary>
    public IEnumerable<string> Names => _topLevel.Keys.Concat(_assignments.Keys).Distinct(StringComparer.Ordinal);

    /// <summary>
    /// The surface of one top-level name (its signature, or its class with members, or its assignment line); null
    /// when the module does not define it at its top level.
    /// </summary>
    public string? Describe(string name, int maxChars)
    {
        var text = new StringBuilder();
        if (_topLevel.TryGetValue(name, out var definition))
        {
            AppendDefinition(text, definition, maxChars);
        }
        else if (_assignments.TryGetValue(name, out var line))
        {
            AppendLine(text, Line(line), maxChars);
        }
        else
        {
            return null;
        }

        return text.ToString();
    }

    /// <summary>The whole module's surface: every top-level definition and constant, public ones first, within <paramref name="maxChars"/>.</summary>
    public string DescribeAll(int maxChars)
    {
        var text = new StringBuilder();
        foreach (var name in Names.OrderBy(n => n.StartsWith('_') ? 1 : 0))
        {
            if (text.Length >= maxChars)
            {
                break;
            }

            var one = Describe(name, maxChars - text.Length);
            if (one is not null && text.Length + one.Length <= maxChars)
            {
                text.Append(one);
            }
        }

        return text.ToString();
    }

    /// <summary>The module's imports (what its <c>from .x import a, b</c> statements re-export), read once.</summary>
    public IReadOnlyList<PythonImport> Imports() => _imports ??= PythonImports.Read(_text);

    /// <summary>Every name the module binds, at any scope (for the check stage's <see cref="ModuleNames"/>), found once.</summary>
    internal PythonBindings Bindings() => _bindings ??= PythonNames.Bind(_text);

    /// <summary>What the module offers importers: its top-level definitions and assignments, and the names its imports bind.</summary>
    internal IEnumerable<string> Offered() => Names.Concat(Imports().Select(i => i.Alias));

    private void AppendDefinition(StringBuilder text, PythonDefinition definition, int maxChars)
    {
        AppendHeader(text, definition, maxChars);
        if (definition.Keyword != "class")
        {
            return;
        }

        foreach (var member in _outline.Definitions.Where(d => d.Header.First > definition.Header.Last && definition.Extent.Contains(d.Header.First) && d.IndentText == definition.BodyIndentText))
        {
            if (text.Length >= maxChars)
            {
                return;
            }

            AppendHeader(text, member, maxChars);
            var name = NameOf(member);
            if (name == "__init__")
            {
                AppendSelfAttributes(text, member, maxChars);
            }
            else if (name is not null && !name.StartsWith('_'))
            {
                // The method as code calls it: after a dot its name is other tokens than after "def " (no leading space),
                // and a dot after a word is other tokens than a dot after spaces.
                AppendLine(text, definition.BodyIndentText + "self." + name + "(", maxChars);
            }
        }

        for (var i = definition.Body.First; i <= definition.Body.Last && i < _lines.Count; i++)
        {
            var line = Line(i);
            if (_lines[i].StartsLogicalLine && line.StartsWith(definition.BodyIndentText, StringComparison.Ordinal)
                && line.Length > definition.BodyIndentText.Length && !char.IsWhiteSpace(line[definition.BodyIndentText.Length])
                && AssignedName(line) is not null)
            {
                AppendLine(text, line, maxChars);
            }
        }
    }

    private void AppendHeader(StringBuilder text, PythonDefinition definition, int maxChars)
    {
        for (var i = definition.Header.First; i <= definition.Header.Last; i++)
        {
            AppendLine(text, Line(i), maxChars);
        }

        if (definition.Docstring is { } docstring && docstring.First < _lines.Count)
        {
            AppendLine(text, Line(docstring.First), maxChars);
        }
    }

    private void AppendSelfAttributes(StringBuilder text, PythonDefinition init, int maxChars)
    {
        for (var i = init.Body.First; i <= init.Body.Last && i < _lines.Count; i++)
        {
            var line = Line(i).TrimStart();
            if (SelfAssignment().IsMatch(line))
            {
                AppendLine(text, init.BodyIndentText + line, maxChars);
            }
        }
    }

    private static void AppendLine(StringBuilder text, string line, int maxChars)
    {
        var cut = line.Length > MaxLineChars ? line[..MaxLineChars] : line;
        if (text.Length + cut.Length + 1 <= maxChars)
        {
            text.Append(cut).Append('\n');
        }
    }

    private string Line(int index) => _text.Substring(_lines[index].Start, _lines[index].Length);

    private string? NameOf(PythonDefinition definition)
    {
        var match = DefinitionName().Match(Line(definition.Header.First));
        return match.Success ? match.Groups[1].Value : null;
    }

    private static string? AssignedName(string line)
    {
        var match = Assignment().Match(line);
        return match.Success ? match.Groups[1].Value : null;
    }

    [GeneratedRegex(@"^\s*(?:async\s+)?(?:def|class)\s+([A-Za-z_]\w*)")]
    private static partial Regex DefinitionName();

    [GeneratedRegex(@"^\s*([A-Za-z_]\w*)\s*(?::[^=]+)?=(?!=)")]
    private static partial Regex Assignment();

    [GeneratedRegex(@"^self\.[A-Za-z_]\w*\s*(?::[^=]+)?=(?!=)")]
    private static partial Regex SelfAssignment();
}

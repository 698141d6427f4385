using K = CodeAssist.Server.Python.PythonTokenKind;

namespace CodeAssist.Server.Python;

/// <summary>
/// Finds the names a Python text binds (<see cref="PythonBindings"/>) in one pass over its tokens, without a parse:
/// assignment, annotation, augmented, <c>for</c>, <c>as</c>, walrus and match-case targets, <c>def</c> and
/// <c>class</c> names with their parameters, lambda parameters, imports, <c>global</c> and <c>nonlocal</c>.
/// </summary>
/// <remarks>
/// Scopes are kept coarsely, and only when the text tokenizes whole: the function each binding is made in (a parameter,
/// a local, a nested definition) and each function's extent, so that a read can see the bindings of the module, of
/// classes (leniently: Python would not let a method read its class's names bare) and of the functions around it, but
/// not another function's locals (<see cref="PythonBindings.VisibleAt"/>). Comprehension and lambda variables count
/// for the function around them, <c>global</c> names for the module. Text that does not tokenize (a line being typed)
/// is skipped line by line: the tokenizer restarts after it, and class and function extents are then left unknown (any
/// binding counts everywhere, so a read the file could make valid is never called unbound).
/// </remarks>
internal sealed class PythonNames
{
    private const int MaximumRestarts = 64;

    private static readonly HashSet<string> DynamicNames = new(StringComparer.Ordinal)
    {
        "__getattr__", "__getattribute__", "__setattr__", "__slots__", "__dict__", "setattr", "vars",
    };

    private readonly PythonBindings _bindings;
    private readonly string _text;
    private readonly List<PythonToken> _tokens;
    private readonly int _count;
    private readonly int _base;
    private readonly bool _classes;
    private readonly List<(PythonClassBindings Class, int BodyLevel)> _open = [];
    private PythonClassBindings? _pending;
    private int _pendingLevel;
    private int _level;
    private PythonClassBindings? _member;
    private readonly List<(PythonFunctionScope Function, int BodyLevel)> _functions = [];
    private PythonFunctionScope? _pendingFunction;
    private int _pendingFunctionLevel;
    private PythonFunctionScope? _function; // the function whose body (or parameter list) is being read; null outside

    private PythonNames(PythonBindings bindings, PythonTokens tokens, int baseOffset, bool classes)
    {
        _bindings = bindings;
        _text = tokens.Text;
        _tokens = tokens.Tokens;
        _base = baseOffset;
        _classes = classes;
        int count = _tokens.FindIndex(token => token.Kind == K.Error);
        _count = count < 0 ? _tokens.Count : count;
    }

    /// <summary>
    /// What <paramref name="text"/> (a whole file) binds. When it tokenizes to its end with nothing left open, class
    /// extents are known too; else <paramref name="pieces"/>, which together make the text, are read one by one
    /// (the line being edited is best kept apart) and each restarts after a line it cannot tokenize.
    /// </summary>
    public static PythonBindings Bind(string text, params ReadOnlySpan<string> pieces)
    {
        if (BindWhole(text) is { } whole)
        {
            return whole;
        }

        var bindings = new PythonBindings();
        if (pieces.IsEmpty)
        {
            BindLeniently(bindings, text, 0);
            return bindings;
        }

        int offset = 0;
        foreach (var piece in pieces)
        {
            BindLeniently(bindings, piece, offset);
            offset += piece.Length;
        }

        return bindings;
    }

    /// <summary>
    /// What <paramref name="text"/> binds, with class and function extents, when it tokenizes to its end with nothing
    /// left open; null when it does not.
    /// </summary>
    public static PythonBindings? BindWhole(string text)
    {
        var tokens = PythonTokenizer.Tokenize(text, fragment: true);
        if (tokens.ErrorMessage is not null || tokens.OpenBracketOffset >= 0 || tokens.Truncation != PythonTruncation.None)
        {
            return null;
        }

        var bindings = new PythonBindings();
        new PythonNames(bindings, tokens, 0, classes: true).Run();
        bindings.ScopesKnown = true;
        return bindings;
    }

    /// <summary>What a fragment binds (a candidate in its place), added to <paramref name="bindings"/>; class extents are not tracked.</summary>
    public static void BindFragment(PythonBindings bindings, PythonTokens tokens) =>
        new PythonNames(bindings, tokens, 0, classes: false).Run();

    /// <summary>
    /// Adds what <paramref name="text"/> (at <paramref name="offset"/> of the document) binds to
    /// <paramref name="bindings"/> as visible everywhere, restarting after a line it cannot tokenize: a piece of a
    /// document that does not tokenize whole, or the line being typed.
    /// </summary>
    public static void BindLeniently(PythonBindings bindings, string text, int offset)
    {
        for (int restarts = 0; restarts < MaximumRestarts && text.Length > 0; restarts++)
        {
            var tokens = PythonTokenizer.Tokenize(text, fragment: true);
            new PythonNames(bindings, tokens, offset, classes: false).Run();
            var error = tokens.Tokens.FindIndex(token => token.Kind == K.Error);
            if (error < 0)
            {
                return;
            }

            int next = text.IndexOf('\n', Math.Min(tokens[error].Start, text.Length - 1));
            if (next < 0)
            {
                return;
            }

            offset += next + 1;
            text = text[(next + 1)..];
        }
    }

    private void BindName(string name) => _bindings.Bind(name, _function);

    private void BindImport(string name, string module) => _bindings.BindModule(name, module, _function);

    private string Text(int index) => _text.Substring(_tokens[index].Start, _tokens[index].Length);

    private bool Is(int index, K kind) => index >= 0 && index < _count && _tokens[index].Kind == kind;

    private bool IsName(int index, string name) => Is(index, K.Name) && _text.AsSpan(_tokens[index].Start, _tokens[index].Length).SequenceEqual(name);

    private void Run()
    {
        int i = 0;
        while (i < _count)
        {
            switch (_tokens[i].Kind)
            {
                case K.Indent:
                    _level++;
                    if (_pending is not null && _level == _pendingLevel + 1)
                    {
                        _open.Add((_pending, _level));
                        _bindings.Classes.Add(_pending);
                    }

                    if (_pendingFunction is not null && _level == _pendingFunctionLevel + 1)
                    {
                        _functions.Add((_pendingFunction, _level));
                        _function = _pendingFunction;
                    }

                    _pending = null;
                    _pendingFunction = null;
                    i++;
                    continue;
                case K.Dedent:
                    _level--;
                    while (_open.Count > 0 && _open[^1].BodyLevel > _level)
                    {
                        _open[^1].Class.End = _base + _tokens[i].Start;
                        _open.RemoveAt(_open.Count - 1);
                    }

                    while (_functions.Count > 0 && _functions[^1].BodyLevel > _level)
                    {
                        _functions[^1].Function.End = _tokens[i].Start >= _text.Length ? int.MaxValue : _base + _tokens[i].Start;
                        _functions.RemoveAt(_functions.Count - 1);
                        _function = _functions.Count > 0 ? _functions[^1].Function : null;
                    }

                    i++;
                    continue;
                case K.Newline or K.EndOfText:
                    i++;
                    continue;
            }

            // A class whose body stayed on its header's line has no members to find; a function's scope ends with that line.
            _pending = null;
            if (_pendingFunction is not null)
            {
                _pendingFunction.End = _base + _tokens[i].Start;
                _pendingFunction = null;
            }

            int end = i;
            while (end < _count && _tokens[end].Kind is not (K.Newline or K.EndOfText))
            {
                end++;
            }

            _member = _open.Count > 0 && _open[^1].BodyLevel == _level ? _open[^1].Class : null;
            Line(i, end);
            i = end;
        }

        foreach (var (open, _) in _open)
        {
            open.End = _base + _text.Length;
        }

        foreach (var (function, _) in _functions)
        {
            function.End = int.MaxValue;
        }

        _pendingFunction?.End = int.MaxValue;
    }

    /// <summary>One logical line, tokens [<paramref name="start"/>, <paramref name="end"/>).</summary>
    private void Line(int start, int end)
    {
        int depth = 0, statement = start, segment = start;
        for (int i = start; i < end; i++)
        {
            var kind = _tokens[i].Kind;
            switch (kind)
            {
                case K.LeftParen or K.LeftBracket or K.LeftBrace:
                    depth++;
                    break;
                case K.RightParen or K.RightBracket or K.RightBrace:
                    depth = Math.Max(0, depth - 1);
                    break;
                case K.Semicolon when depth == 0:
                    statement = segment = i + 1;
                    break;
                case K.Colon when depth == 0:
                    if (i == statement + 1 && Is(statement, K.Name))
                    {
                        Target(statement, member: true); // an annotated name: "x: int"
                    }
                    else if (i == statement + 3 && IsSelf(statement) && Is(statement + 1, K.Dot))
                    {
                        SelfAttribute(statement + 2);
                    }

                    segment = i + 1;
                    break;
                case K.Equal when depth == 0:
                    Targets(segment, i);
                    segment = i + 1;
                    break;
                case K.AugmentedAssign:
                    Targets(i - 1, i);
                    if (i >= 3 && Is(i - 2, K.Dot) && IsSelf(i - 3))
                    {
                        SelfAttribute(i - 1);
                    }

                    break;
                case K.ColonEqual when Is(i - 1, K.Name):
                    BindName(Text(i - 1));
                    break;
                case K.For:
                    ForTargets(i + 1, end);
                    break;
                case K.As:
                    AsTargets(i + 1, end);
                    break;
                case K.Lambda:
                    Parameters(i + 1, end, K.Colon);
                    break;
                case K.Def or K.Class when Is(i + 1, K.Name):
                    Definition(i, end);
                    break;
                case K.Import:
                    i = Import(i + 1, end);
                    break;
                case K.From when FromImport(i + 1, end) is var after && after > i:
                    i = after;
                    break;
                case K.Global or K.Nonlocal:
                    for (int j = i + 1; j < end && _tokens[j].Kind is K.Name or K.Comma; j++)
                    {
                        if (_tokens[j].Kind == K.Name && kind == K.Global)
                        {
                            _bindings.BindGlobal(Text(j));
                        }
                        else if (_tokens[j].Kind == K.Name)
                        {
                            BindName(Text(j));
                        }
                    }

                    break;
                case K.Name:
                    if (i == start && IsName(i, "case") && Is(end - 1, K.Colon) && !Is(i + 1, K.Equal) && !Is(i + 1, K.Dot))
                    {
                        Pattern(i + 1, end - 1);
                    }
                    else if (WritesGlobals(i))
                    {
                        _bindings.DynamicGlobals = true;
                    }
                    else if (_open.Count > 0 && DynamicNames.Contains(Text(i)))
                    {
                        foreach (var (open, _) in _open)
                        {
                            open.Dynamic = true;
                        }
                    }

                    break;
            }
        }
    }

    /// <summary><c>globals()[…]</c>, <c>globals().update(…)</c>, <c>globals().setdefault(…)</c>, <c>d = globals()</c> or an enum's <c>_convert_</c>, which bind names no target shows.</summary>
    private bool WritesGlobals(int i) =>
        IsName(i, "_convert_")
        || (IsName(i, "globals") && Is(i + 1, K.LeftParen) && Is(i + 2, K.RightParen)
            && (Is(i + 3, K.LeftBracket) || Is(i - 1, K.Equal) || (Is(i + 3, K.Dot) && (IsName(i + 4, "update") || IsName(i + 4, "setdefault")))));

    private bool IsSelf(int index) => (IsName(index, "self") || IsName(index, "cls")) && !Is(index - 1, K.Dot);

    private void SelfAttribute(int index)
    {
        var name = Text(index);
        _bindings.SelfAttributes.Add(name);
        _bindings.Members.Add(name);
        if (_open.Count > 0)
        {
            _open[^1].Class.Attributes.Add(name);
        }
    }

    /// <summary>The names an assignment's target list [<paramref name="start"/>, <paramref name="end"/>) binds, and the <c>self</c> attributes it sets.</summary>
    private void Targets(int start, int end)
    {
        for (int i = Math.Max(start, 0); i < end; i++)
        {
            if (!Is(i, K.Name))
            {
                continue;
            }

            if (Is(i - 1, K.Dot))
            {
                if (!Is(i + 1, K.Dot) && !Is(i + 1, K.LeftParen) && !Is(i + 1, K.LeftBracket))
                {
                    _bindings.Members.Add(Text(i));
                    if (i >= 2 && IsSelf(i - 2))
                    {
                        SelfAttribute(i);
                    }
                }

                continue;
            }

            if (!Is(i + 1, K.Dot) && !Is(i + 1, K.LeftParen) && !Is(i + 1, K.LeftBracket))
            {
                Target(i, member: true);
            }
        }
    }

    private void Target(int index, bool member)
    {
        var name = Text(index);
        BindName(name);
        if (member && _member is not null)
        {
            _member.Attributes.Add(name);
            _bindings.Members.Add(name);
        }
    }

    /// <summary>A <c>for</c> target up to its <c>in</c> (of a statement or a comprehension), or to the line's end when the <c>in</c> is on a later line not shown.</summary>
    private void ForTargets(int start, int end)
    {
        int depth = 0;
        for (int i = start; depth >= 0; i++)
        {
            if (i >= end)
            {
                Targets(start, end);
                return;
            }

            depth += Nesting(_tokens[i].Kind);
            switch (_tokens[i].Kind)
            {
                case K.In when depth == 0:
                    Targets(start, i);
                    return;
            }
        }
    }

    /// <summary>What follows <c>as</c> in <c>with</c>, <c>except</c> and match patterns: a name, an attribute of self, or a bracketed tuple.</summary>
    private void AsTargets(int start, int end)
    {
        if (IsSelf(start) && Is(start + 1, K.Dot) && Is(start + 2, K.Name))
        {
            SelfAttribute(start + 2);
        }
        else if (Is(start, K.Name))
        {
            Target(start, member: false);
        }
        else if (Is(start, K.LeftParen) || Is(start, K.LeftBracket))
        {
            int close = Close(start, end);
            Targets(start + 1, close);
        }
    }

    /// <summary>The index of the bracket that closes the one at <paramref name="open"/>, or <paramref name="end"/>.</summary>
    private int Close(int open, int end)
    {
        int depth = 0;
        for (int i = open; i < end; i++)
        {
            switch (_tokens[i].Kind)
            {
                case K.LeftParen or K.LeftBracket or K.LeftBrace:
                    depth++;
                    break;
                case K.RightParen or K.RightBracket or K.RightBrace when --depth == 0:
                    return i;
            }
        }

        return end;
    }

    /// <summary>Parameter names up to <paramref name="stop"/> at the same depth: names after the opening, a comma, * or **.</summary>
    private void Parameters(int start, int end, K stop)
    {
        int depth = 0;
        for (int i = start; i < end; i++)
        {
            var kind = _tokens[i].Kind;
            if (depth == 0 && kind == stop)
            {
                return;
            }

            depth += Nesting(kind);
            switch (kind)
            {
                case K.Name when depth == 0 && (i == start || _tokens[i - 1].Kind is K.Comma or K.Star or K.DoubleStar or K.Lambda):
                    BindName(Text(i));
                    break;
            }
        }
    }

    /// <summary><c>def name[T](params)</c> or <c>class name[T](bases)</c> at <paramref name="keyword"/>.</summary>
    private void Definition(int keyword, int end)
    {
        bool isClass = _tokens[keyword].Kind == K.Class;
        Target(keyword + 1, member: true);
        // A function's parameters (and type parameters) are bound in its own scope.
        var enclosing = _function;
        PythonFunctionScope? function = !isClass && _classes ? new PythonFunctionScope(Text(keyword + 1), _base + _tokens[keyword].Start) : null;
        if (function is not null)
        {
            _function = function;
        }

        int i = keyword + 2;
        if (Is(i, K.LeftBracket))
        {
            int close = Close(i, end);
            Parameters(i + 1, close, K.RightBracket);
            i = close + 1;
        }

        PythonClassBindings? defined = isClass && _classes ? new PythonClassBindings(Text(keyword + 1), _base + _tokens[keyword].Start) : null;
        if (Is(i, K.LeftParen))
        {
            int close = Close(i, end);
            if (isClass)
            {
                for (int j = i + 1; j < close && defined is not null; j++)
                {
                    defined.HasBases |= _tokens[j].Kind != K.Comma && !IsName(j, "object");
                }
            }
            else
            {
                Parameters(i + 1, close, K.RightParen);
            }
        }

        _function = enclosing;
        if (defined is not null)
        {
            _pending = defined;
            _pendingLevel = _level;
        }

        if (function is not null)
        {
            _pendingFunction = function;
            _pendingFunctionLevel = _level;
        }
    }

    /// <summary><c>import a.b.c [as d], …</c> from the token after <c>import</c>; returns the last index it read.</summary>
    private int Import(int i, int end)
    {
        while (i < end && Is(i, K.Name))
        {
            int first = i;
            while (Is(i + 1, K.Dot) && Is(i + 2, K.Name))
            {
                i += 2;
            }

            string module = _text[_tokens[first].Start.._tokens[i].End].Replace(" ", string.Empty, StringComparison.Ordinal);
            if (Is(i + 1, K.As) && Is(i + 2, K.Name))
            {
                BindImport(Text(i + 2), module);
                i += 2;
            }
            else
            {
                BindImport(Text(first), Text(first));
            }

            _member?.Attributes.Add(Text(Is(i - 1, K.As) ? i : first));
            if (!Is(i + 1, K.Comma))
            {
                return i;
            }

            i += 2;
        }

        return i;
    }

    /// <summary><c>from m import …</c> from the token after <c>from</c>; returns the last index it read, or -1 when this <c>from</c> is no import (<c>yield from</c>, <c>raise … from</c>).</summary>
    private int FromImport(int i, int end)
    {
        int moduleStart = i;
        while (i < end && _tokens[i].Kind is K.Dot or K.Ellipsis or K.Name)
        {
            i++;
        }

        if (!Is(i, K.Import) || i == moduleStart)
        {
            return -1;
        }

        string module = string.Concat(Enumerable.Range(moduleStart, i - moduleStart).Select(Text));
        bool relative = module.StartsWith('.');
        if (Is(i + 1, K.Star))
        {
            if (!relative && StandardLibrary.Names(module) is { } names)
            {
                foreach (var name in names.Where(name => !name.StartsWith('_')))
                {
                    BindName(name);
                }
            }
            else
            {
                _bindings.UnknownStarImport = true;
            }

            return i + 1;
        }

        for (i++; i < end && _tokens[i].Kind is K.Name or K.Comma or K.LeftParen or K.RightParen or K.As; i++)
        {
            if (Is(i, K.Name) && !Is(i + 1, K.As))
            {
                var name = Text(i);
                if (!Is(i - 1, K.As) && !relative)
                {
                    BindImport(name, $"{module}.{name}");
                }
                else
                {
                    var imported = Is(i - 1, K.As) ? Text(i - 2) : name;
                    BindImport(name, relative ? ModuleNames.Join(module, imported) : $"{module}.{imported}");
                }

                _member?.Attributes.Add(name);
            }
        }

        return i - 1;
    }

    /// <summary>The capture names of a <c>case</c> pattern (and its guard, harmlessly).</summary>
    private void Pattern(int start, int end)
    {
        for (int i = start; i < end; i++)
        {
            if (Is(i, K.Name) && !Is(i - 1, K.Dot) && !Is(i + 1, K.Dot) && !Is(i + 1, K.LeftParen) && !Is(i + 1, K.Equal))
            {
                BindName(Text(i));
            }
        }
    }

    /// <summary>How a token changes the bracket depth: +1 opens, −1 closes, 0 neither.</summary>
    private static int Nesting(K kind) => kind switch
    {
        K.LeftParen or K.LeftBracket or K.LeftBrace => 1,
        K.RightParen or K.RightBracket or K.RightBrace => -1,
        _ => 0,
    };
}

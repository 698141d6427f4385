using System.Collections.Immutable;

namespace CodeAssist.Server.Python;

/// <summary>The lexer's scanner: one pass over the text with a stack of open brackets, strings and f-string fields.</summary>
public static partial class PythonLexer
{
    private sealed class Frame(LexFrameKind kind, char quote, bool triple, bool formatted, bool raw)
    {
        public LexFrameKind Kind { get; } = kind;

        public char Quote { get; } = quote;

        public bool Triple { get; } = triple;

        public bool Formatted { get; } = formatted;

        public bool Raw { get; } = raw;

        public List<char> Brackets { get; } = [];
    }

    private sealed class Scanner
    {
        private readonly List<Frame> _frames = [];
        private readonly List<PythonLine> _lines = [];
        private readonly List<int> _unmatched = [];
        private bool _inComment;
        private bool _continued;
        private bool _escapePending;
        private bool _escapedBreak;
        private bool _previousWasIdentifier;
        private int _identifierStart = -1;

        private int _lineStart;
        private bool _lineHasContent;
        private bool _lineCommentOnly;
        private bool _lineStartsInString;
        private int _lineDepthAtStart;
        private bool _lineStartsContinued;
        private char _lastSignificant;

        public Scanner(PythonLexState start)
        {
            foreach (LexFrame frame in start.Frames)
            {
                var mutable = new Frame(frame.Kind, frame.Quote, frame.Triple, frame.Formatted, frame.Raw);
                mutable.Brackets.AddRange(frame.Brackets);
                _frames.Add(mutable);
            }

            _inComment = start.InComment;
            _continued = start.IsLineContinued;
            _escapePending = start.EscapePending;
            _lineStartsInString = start.InString;
            _lineDepthAtStart = start.BracketDepth;
            _lineStartsContinued = false;
        }

        private Frame Top => _frames[^1];

        public PythonLexResult Run(ReadOnlySpan<char> text)
        {
            int i = 0;
            if (_escapePending && text.Length > 0)
            {
                _escapePending = false;
                if (IsBreak(text[0]))
                {
                    _escapedBreak = true;
                }
                else
                {
                    i = 1;
                }
            }

            while (i < text.Length)
            {
                char c = text[i];
                if (IsBreak(c))
                {
                    int next = c == '\r' && i + 1 < text.Length && text[i + 1] == '\n' ? i + 2 : i + 1;
                    EndLine(i);
                    StartNextLine(next);
                    i = next;
                    continue;
                }

                if (_inComment)
                {
                    i++;
                    continue;
                }

                _continued = false;
                i = Top.Kind switch
                {
                    LexFrameKind.String => InString(text, i),
                    LexFrameKind.FormatSpec => InFormatSpec(text, i),
                    _ => InCode(text, i),
                };
            }

            EndLine(text.Length);
            var frames = ImmutableArray.CreateBuilder<LexFrame>(_frames.Count);
            foreach (Frame frame in _frames)
            {
                frames.Add(new LexFrame(frame.Kind, frame.Quote, frame.Triple, frame.Formatted, frame.Raw, new string([.. frame.Brackets])));
            }

            var state = new PythonLexState(frames.MoveToImmutable(), _inComment, _continued, _escapePending);
            return new PythonLexResult(_lines, state, _unmatched);
        }

        private int InCode(ReadOnlySpan<char> text, int i)
        {
            char c = text[i];
            Frame frame = Top;
            if (char.IsWhiteSpace(c))
            {
                _previousWasIdentifier = false;
                return i + 1;
            }

            if (char.IsLetterOrDigit(c) || c == '_')
            {
                if (!_previousWasIdentifier)
                {
                    _previousWasIdentifier = true;
                    _identifierStart = i;
                }

                Mark(c);
                return i + 1;
            }

            bool afterIdentifier = _previousWasIdentifier;
            _previousWasIdentifier = false;
            switch (c)
            {
                case '#':
                    _inComment = true;
                    _lineCommentOnly = !_lineHasContent;
                    _lineHasContent = true;
                    return i + 1;

                case '\\':
                    _continued = i + 1 == text.Length || IsBreak(text[i + 1]);
                    Mark(c);
                    return i + 1;

                case '"' or '\'':
                    return StartString(text, i, afterIdentifier);

                case '(' or '[' or '{':
                    frame.Brackets.Add(c);
                    Mark(c);
                    return i + 1;

                case ')' or ']' or '}':
                    if (frame.Brackets.Count > 0 && frame.Brackets[^1] == Opening(c))
                    {
                        frame.Brackets.RemoveAt(frame.Brackets.Count - 1);
                    }
                    else if (frame.Kind == LexFrameKind.Expression && frame.Brackets.Count == 0 && c == '}')
                    {
                        _frames.RemoveAt(_frames.Count - 1);
                    }
                    else if (_frames.Count == 1)
                    {
                        _unmatched.Add(i);
                    }

                    Mark(c);
                    return i + 1;

                case ':' when frame.Kind == LexFrameKind.Expression && frame.Brackets.Count == 0:
                    _frames.Add(new Frame(LexFrameKind.FormatSpec, frame.Quote, frame.Triple, formatted: true, frame.Raw));
                    Mark(c);
                    return i + 1;

                default:
                    Mark(c);
                    return i + 1;
            }
        }

        private int StartString(ReadOnlySpan<char> text, int i, bool afterIdentifier)
        {
            char quote = text[i];
            bool formatted = false;
            bool raw = false;
            if (afterIdentifier && _identifierStart >= 0)
            {
                IsStringPrefix(text[_identifierStart..i], out formatted, out raw);
            }

            bool triple = i + 2 < text.Length && text[i + 1] == quote && text[i + 2] == quote;
            _frames.Add(new Frame(LexFrameKind.String, quote, triple, formatted, raw));
            Mark(quote);
            return i + (triple ? 3 : 1);
        }

        private int InString(ReadOnlySpan<char> text, int i)
        {
            char c = text[i];
            Frame frame = Top;
            if (!char.IsWhiteSpace(c))
            {
                Mark(c);
            }

            if (c == '\\')
            {
                if (i + 1 == text.Length)
                {
                    _escapePending = true;
                    return i + 1;
                }

                char next = text[i + 1];
                if (IsBreak(next))
                {
                    _escapedBreak = true;
                    return i + 1;
                }

                // A backslash never hides a replacement field's brace, raw or not.
                return frame.Formatted && next is '{' or '}' ? i + 1 : i + 2;
            }

            if (c == frame.Quote)
            {
                if (!frame.Triple)
                {
                    _frames.RemoveAt(_frames.Count - 1);
                    return i + 1;
                }

                if (i + 2 < text.Length && text[i + 1] == c && text[i + 2] == c)
                {
                    _frames.RemoveAt(_frames.Count - 1);
                    _lastSignificant = c;
                    return i + 3;
                }

                return i + 1;
            }

            if (frame.Formatted && c is '{' or '}')
            {
                if (i + 1 < text.Length && text[i + 1] == c)
                {
                    return i + 2;
                }

                if (c == '{')
                {
                    _frames.Add(new Frame(LexFrameKind.Expression, frame.Quote, frame.Triple, formatted: true, frame.Raw));
                }
            }

            return i + 1;
        }

        private int InFormatSpec(ReadOnlySpan<char> text, int i)
        {
            char c = text[i];
            Frame frame = Top;
            if (!char.IsWhiteSpace(c))
            {
                Mark(c);
            }

            switch (c)
            {
                case '{':
                    _frames.Add(new Frame(LexFrameKind.Expression, frame.Quote, frame.Triple, formatted: true, frame.Raw));
                    return i + 1;

                case '}':
                    _frames.RemoveAt(_frames.Count - 1);
                    if (Top.Kind == LexFrameKind.Expression)
                    {
                        _frames.RemoveAt(_frames.Count - 1);
                    }

                    return i + 1;

                default:
                    if (c == frame.Quote && (!frame.Triple || (i + 2 < text.Length && text[i + 1] == c && text[i + 2] == c)))
                    {
                        // A quote that ends the string inside a format spec: the replacement field was never closed.
                        while (_frames.Count > 1 && Top.Kind != LexFrameKind.String)
                        {
                            _frames.RemoveAt(_frames.Count - 1);
                        }

                        if (_frames.Count > 1)
                        {
                            _frames.RemoveAt(_frames.Count - 1);
                        }

                        return i + (frame.Triple ? 3 : 1);
                    }

                    return i + 1;
            }
        }

        private void Mark(char c)
        {
            _lineHasContent = true;
            _lastSignificant = c;
        }

        private void EndLine(int end)
        {
            bool inString = _frames.Count > 1;
            int depth = _frames[0].Brackets.Count;
            bool opener = !inString && depth == 0 && !_continued && _lastSignificant == ':';
            int index = _lines.Count;
            bool continues = _lineStartsInString || _lineDepthAtStart > 0 || _lineStartsContinued;
            int logicalStart = continues && index > 0 ? _lines[^1].LogicalStartLine : index;
            _lines.Add(new PythonLine(
                _lineStart,
                end - _lineStart,
                IsBlank: !_lineHasContent,
                IsCommentOnly: _lineCommentOnly,
                StartsInString: _lineStartsInString,
                BracketDepthAtStart: _lineDepthAtStart,
                StartsContinued: _lineStartsContinued,
                EndsInString: inString,
                BracketDepthAtEnd: depth,
                IsBlockOpener: opener,
                LogicalStartLine: logicalStart));
        }

        private void StartNextLine(int start)
        {
            if (!_escapedBreak)
            {
                // A line break ends single-quoted strings (unterminated ones, or the replacement fields inside them).
                while (_frames.Count > 1 && !Top.Triple)
                {
                    _frames.RemoveAt(_frames.Count - 1);
                }
            }

            _lineStartsInString = _frames.Count > 1;
            _lineDepthAtStart = _frames[0].Brackets.Count;
            _lineStartsContinued = _continued;
            _continued = false;
            _escapedBreak = false;
            _inComment = false;
            _previousWasIdentifier = false;
            _lineStart = start;
            _lineHasContent = false;
            _lineCommentOnly = false;
            _lastSignificant = '\0';
        }
    }
}

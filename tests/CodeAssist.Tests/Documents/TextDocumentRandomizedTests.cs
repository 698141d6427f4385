using System.Text;
using CodeAssist.Server.Documents;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.Documents;

[Trait(TestCategory.Name, TestCategory.Unit)]
public class TextDocumentRandomizedTests
{
    private static readonly string[] Pieces =
        ["a", "bc", " ", "\t", "\n", "\r\n", "\r", "😀", "é", "x = 1", "def f():\n    pass\n", "\"\"\"doc\r\n\"\"\"", "中文"];

    private static readonly PositionEncoding[] Encodings = [PositionEncoding.Utf8, PositionEncoding.Utf16, PositionEncoding.Utf32];

    [Theory]
    [InlineData(1, 4096)]
    [InlineData(2, 4096)]
    [InlineData(3, 8)]
    [InlineData(4, 8)]
    [InlineData(5, 64)]
    public void RandomEditsMatchANaiveStringModel(int seed, int maxChunk)
    {
        var random = new Random(seed);
        string model = "import os\r\nprint('😀')\n\nx = 1\r";
        var document = new TextDocument("file:///r.py", "python", 0, model, maxChunk);

        for (int step = 0; step < 2000; step++)
        {
            string inserted = RandomText(random);
            if (random.Next(100) == 0)
            {
                document.ReplaceAll(inserted);
                model = inserted;
            }
            else
            {
                int start = Boundary(model, random.Next(model.Length + 1));
                int end = Boundary(model, Math.Min(model.Length, start + RandomLength(random)));
                end = Math.Max(start, end);
                PositionEncoding encoding = Encodings[random.Next(Encodings.Length)];
                (int startLine, int startCharacter) = NaivePosition(model, start, encoding);
                (int endLine, int endCharacter) = NaivePosition(model, end, encoding);

                document.ApplyChange(startLine, startCharacter, endLine, endCharacter, inserted, encoding);
                model = string.Concat(model.AsSpan(0, start), inserted, model.AsSpan(end));
            }

            Assert.Equal(model, document.Text);
            int[] starts = NaiveLineStarts(model);
            Assert.Equal(starts.Length, document.LineIndex.LineCount);
            for (int line = 0; line < starts.Length; line++)
            {
                Assert.Equal(starts[line], document.LineIndex.GetLineStart(line));
            }

            int probe = Boundary(model, random.Next(model.Length + 1));
            PositionEncoding probeEncoding = Encodings[random.Next(Encodings.Length)];
            (int probeLine, int probeCharacter) = NaivePosition(model, probe, probeEncoding);
            Assert.Equal(new DocumentPosition(probeLine, probeCharacter), document.LineIndex.PositionAt(probe, probeEncoding));
            Assert.Equal(probe, document.LineIndex.OffsetAt(probeLine, probeCharacter, probeEncoding));
            int length = random.Next(model.Length - probe + 1);
            Assert.Equal(model.Substring(probe, length), document.GetText(probe, length));
        }
    }

    private static int RandomLength(Random random) => random.Next(4) == 0 ? random.Next(60) : random.Next(4);

    private static string RandomText(Random random)
    {
        // Weighted toward deletion and small insertions so the text neither vanishes nor grows without bound.
        int count = random.Next(4);
        var builder = new StringBuilder();
        for (int i = 0; i < count; i++)
        {
            builder.Append(Pieces[random.Next(Pieces.Length)]);
        }

        return builder.ToString();
    }

    /// <summary>Moves an offset back until no position could fall there: not inside a surrogate pair or a CRLF.</summary>
    private static int Boundary(string text, int offset)
    {
        while (offset > 0 && offset < text.Length
            && ((char.IsLowSurrogate(text[offset]) && char.IsHighSurrogate(text[offset - 1])) || (text[offset] == '\n' && text[offset - 1] == '\r')))
        {
            offset--;
        }

        return offset;
    }

    private static int[] NaiveLineStarts(string text)
    {
        var starts = new List<int> { 0 };
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n' || (text[i] == '\r' && (i + 1 == text.Length || text[i + 1] != '\n')))
            {
                starts.Add(i + 1);
            }
        }

        return [.. starts];
    }

    private static (int Line, int Character) NaivePosition(string text, int offset, PositionEncoding encoding)
    {
        int[] starts = NaiveLineStarts(text);
        int line = starts.Count(start => start <= offset) - 1;
        string before = text[starts[line]..offset];
        int character = encoding switch
        {
            PositionEncoding.Utf8 => Encoding.UTF8.GetByteCount(before),
            PositionEncoding.Utf32 => before.EnumerateRunes().Count(),
            _ => before.Length,
        };
        return (line, character);
    }
}

using CodeAssist.Server.Documents;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.Documents;

[Trait(TestCategory.Name, TestCategory.Unit)]
public class TextDocumentTests
{
    private const PositionEncoding Utf16 = PositionEncoding.Utf16;

    private static TextDocument Create(string text) => new("file:///a.py", "python", 1, text);

    private static int[] Starts(LineIndex index) => [.. Enumerable.Range(0, index.LineCount).Select(index.GetLineStart)];

    [Fact]
    public void IncrementalInsertEditsTheTextAndTheIndex()
    {
        var document = Create("def f():\n    pass\n");

        document.ApplyChange(1, 4, 1, 8, "return 1", Utf16);

        Assert.Equal("def f():\n    return 1\n", document.Text);
        Assert.Equal([0, 9, 22], Starts(document.LineIndex));
    }

    [Fact]
    public void ReplaceAllReplacesTheWholeText()
    {
        var document = Create("a\nb");

        document.ReplaceAll("x\r\ny\r\nz");

        Assert.Equal("x\r\ny\r\nz", document.Text);
        Assert.Equal([0, 3, 6], Starts(document.LineIndex));
    }

    [Fact]
    public void MultiLineRangeIsReplacedByMultiLineText()
    {
        var document = Create("a = 1\nb = 2\nc = 3\nd = 4\n");

        document.ApplyChange(1, 2, 3, 1, "= [\n    2,\n]\ne", Utf16);

        Assert.Equal("a = 1\nb = [\n    2,\n]\ne = 4\n", document.Text);
        Assert.Equal([0, 6, 12, 19, 21, 27], Starts(document.LineIndex));
    }

    [Fact]
    public void InsertAtTheEndOfACrlfLineKeepsTheBreak()
    {
        var document = Create("ab\r\ncd");

        document.ApplyChange(0, 2, 0, 2, "X", Utf16);

        Assert.Equal("abX\r\ncd", document.Text);
        Assert.Equal([0, 5], Starts(document.LineIndex));
    }

    [Fact]
    public void InsertAtTheStartOfTheLineAfterACrlf()
    {
        var document = Create("ab\r\ncd");

        document.ApplyChange(1, 0, 1, 0, "X\r\n", Utf16);

        Assert.Equal("ab\r\nX\r\ncd", document.Text);
        Assert.Equal([0, 4, 7], Starts(document.LineIndex));
    }

    [Fact]
    public void DeletingACrlfJoinsTheLines()
    {
        var document = Create("ab\r\ncd\r\nef");

        document.ApplyChange(0, 2, 1, 0, string.Empty, Utf16);

        Assert.Equal("abcd\r\nef", document.Text);
        Assert.Equal([0, 6], Starts(document.LineIndex));
    }

    [Fact]
    public void InsertingLfAfterALoneCrMakesOneCrlf()
    {
        var document = Create("a\rb");

        document.ApplyChange(1, 0, 1, 0, "\n", Utf16);

        Assert.Equal("a\r\nb", document.Text);
        Assert.Equal([0, 3], Starts(document.LineIndex));
    }

    [Fact]
    public void InsertingCrBeforeALineStartingWithLfMakesOneCrlf()
    {
        var document = Create("a\n\nb");

        document.ApplyChange(0, 1, 0, 1, "\r", Utf16);

        Assert.Equal("a\r\n\nb", document.Text);
        Assert.Equal([0, 3, 4], Starts(document.LineIndex));
    }

    [Theory]
    [InlineData(PositionEncoding.Utf16, 7)]
    [InlineData(PositionEncoding.Utf8, 9)]
    [InlineData(PositionEncoding.Utf32, 6)]
    public void InsertAfterAnEmojiUsesTheEncodingsCharacterCount(PositionEncoding encoding, int character)
    {
        var document = Create("y = 2\nx = '😀' + y\n");

        document.ApplyChange(1, character, 1, character, "!", encoding);

        Assert.Equal("y = 2\nx = '😀!' + y\n", document.Text);
    }

    [Theory]
    [InlineData(PositionEncoding.Utf16, 5, 7)]
    [InlineData(PositionEncoding.Utf8, 5, 9)]
    [InlineData(PositionEncoding.Utf32, 5, 6)]
    public void DeletingAnEmojiRemovesBothSurrogates(PositionEncoding encoding, int start, int end)
    {
        var document = Create("x = '😀' + y");

        document.ApplyChange(0, start, 0, end, "ok", encoding);

        Assert.Equal("x = 'ok' + y", document.Text);
    }

    [Fact]
    public void InsertAtTheEndOfTheDocument()
    {
        var document = Create("a = 1\n");

        document.ApplyChange(1, 0, 1, 0, "b = 2", Utf16);
        document.ApplyChange(1, 99, 1, 99, "\n", Utf16);

        Assert.Equal("a = 1\nb = 2\n", document.Text);
        Assert.Equal([0, 6, 12], Starts(document.LineIndex));
    }

    [Theory]
    [InlineData(2, 0, 2, 0)]
    [InlineData(0, 0, 5, 0)]
    [InlineData(-1, 0, 0, 0)]
    [InlineData(0, -1, 0, 0)]
    [InlineData(1, 0, 0, 0)]
    [InlineData(0, 3, 0, 1)]
    public void ChangeOutsideTheTextThrowsAndChangesNothing(int startLine, int startCharacter, int endLine, int endCharacter)
    {
        var document = Create("abc\ndef");

        var error = Assert.Throws<DocumentChangeException>(
            () => document.ApplyChange(startLine, startCharacter, endLine, endCharacter, "x", Utf16));

        Assert.Equal("file:///a.py", error.Uri);
        Assert.Contains("file:///a.py", error.Message, StringComparison.Ordinal);
        Assert.Equal("abc\ndef", document.Text);
    }

    [Fact]
    public void GetTextCopiesOnlyTheWindow()
    {
        var document = Create("0123456789");
        document.ApplyChange(0, 5, 0, 5, "abc", Utf16);

        Assert.Equal("34ab", document.GetText(3, 4));
        Assert.Equal("c567", document.GetText(7, 4));
    }

    [Fact]
    public void SnapshotKeepsItsVersionWhileTheDocumentChanges()
    {
        var document = Create("a\nb");
        DocumentSnapshot before = document.GetSnapshot();

        document.ApplyChange(0, 1, 0, 1, "\nx", Utf16);
        document.Version = 2;
        DocumentSnapshot after = document.GetSnapshot();

        Assert.Equal("a\nb", before.Text);
        Assert.Equal(2, before.LineCount);
        Assert.Equal(1, before.Version);
        Assert.Equal("a\nx\nb", after.Text);
        Assert.Equal(3, after.LineCount);
        Assert.Equal(2, after.Version);
    }

    [Fact]
    public void SnapshotIsSharedUntilTheNextEdit()
    {
        var document = Create("a");

        DocumentSnapshot first = document.GetSnapshot();
        DocumentSnapshot second = document.GetSnapshot();
        document.ApplyChange(0, 1, 0, 1, "b", Utf16);

        Assert.Same(first, second);
        Assert.NotSame(first, document.GetSnapshot());
    }

    [Fact]
    public void LongTypingSessionKeepsTextAndIndexInStep()
    {
        string line = "    value = compute(alpha, beta)  # comment\n";
        var document = Create(string.Concat(Enumerable.Repeat(line, 5000)));
        string typed = "if x:\n        return y\n";

        for (int i = 0; i < typed.Length; i++)
        {
            DocumentPosition at = document.LineIndex.PositionAt(line.Length * 2500 + 4 + i, Utf16);
            document.ApplyChange(at.Line, at.Character, at.Line, at.Character, typed[i].ToString(), Utf16);
        }

        string expected = string.Concat(Enumerable.Repeat(line, 2500)) + "    " + typed + line[4..] + string.Concat(Enumerable.Repeat(line, 2499));
        Assert.Equal(expected, document.Text);
        Assert.Equal(LineIndex.Create(expected).LineCount, document.LineIndex.LineCount);
        Assert.Equal(expected.IndexOf("        return y", StringComparison.Ordinal), document.LineIndex.GetLineStart(2501));
    }
}

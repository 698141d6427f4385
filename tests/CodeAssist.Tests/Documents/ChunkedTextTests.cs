using CodeAssist.Server.Documents;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.Documents;

[Trait(TestCategory.Name, TestCategory.Unit)]
public class ChunkedTextTests
{
    private static int[] Starts(ChunkedText text) => [.. Enumerable.Range(0, text.LineCount).Select(text.GetLineStart)];

    [Fact]
    public void LongTextIsSplitIntoChunksThatRoundTrip()
    {
        string source = string.Concat(Enumerable.Range(0, 100).Select(i => $"line {i}\r\n"));

        var text = ChunkedText.Create(source, maxChunk: 16);

        Assert.True(text.ChunkCount > 50);
        Assert.Equal(source, text.ToString());
        Assert.Equal(101, text.LineCount);
        Assert.Equal(LineIndex.Create(source).GetLineStart(57), text.GetLineStart(57));
    }

    [Fact]
    public void ChunksNeverSplitACrlf()
    {
        var text = ChunkedText.Create("\r\n\r\n\r\n\r\n\r\n\r\n", maxChunk: 4);

        Assert.Equal([0, 2, 4, 6, 8, 10, 12], Starts(text));
    }

    [Fact]
    public void LfInsertedAfterACrAtAChunkEndMakesOneLineBreak()
    {
        var text = ChunkedText.Create("abc\r", maxChunk: 4).Replace(4, 0, "def");
        Assert.Equal([0, 4], Starts(text));

        ChunkedText joined = text.Replace(4, 0, "\n");

        Assert.Equal("abc\r\ndef", joined.ToString());
        Assert.Equal([0, 5], Starts(joined));
    }

    [Fact]
    public void DeletingBetweenACrAndAnLfInOtherChunksJoinsThem()
    {
        var text = ChunkedText.Create("ab\rxxxxxxxxxxxx\ncd", maxChunk: 4);

        ChunkedText joined = text.Replace(3, 12, string.Empty);

        Assert.Equal("ab\r\ncd", joined.ToString());
        Assert.Equal([0, 4], Starts(joined));
        Assert.Equal(1, joined.GetLineOfOffset(4));
        Assert.Equal(0, joined.GetLineOfOffset(3));
    }

    [Fact]
    public void EditLeavesTheOldVersionUnchanged()
    {
        var before = ChunkedText.Create("first\nsecond\nthird\n", maxChunk: 8);

        ChunkedText after = before.Replace(6, 6, "2nd");

        Assert.Equal("first\nsecond\nthird\n", before.ToString());
        Assert.Equal("first\n2nd\nthird\n", after.ToString());
    }

    [Fact]
    public void DeletingEverythingLeavesOneEmptyLine()
    {
        var text = ChunkedText.Create("a\nb\nc\nd\ne\n", maxChunk: 4);

        ChunkedText empty = text.Replace(0, text.Length, string.Empty);

        Assert.Equal(0, empty.Length);
        Assert.Equal(1, empty.LineCount);
        Assert.Equal("x", empty.Replace(0, 0, "x").ToString());
    }

    [Fact]
    public void SliceWithinAChunkSharesItsStorage()
    {
        var text = ChunkedText.Create("0123456789abcdef", maxChunk: 8);

        Assert.Equal("123", text.Slice(1, 3).ToString());
        Assert.Equal("6789ab", text.Slice(6, 6).ToString());
    }
}

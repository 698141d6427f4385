using CodeAssist.Server.Documents;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.Documents;

[Trait(TestCategory.Name, TestCategory.Unit)]
public class LineIndexTests
{
    private const string Emoji = "x = '😀' + y";

    [Theory]
    [InlineData("", new[] { 0 })]
    [InlineData("abc", new[] { 0 })]
    [InlineData("a\n", new[] { 0, 2 })]
    [InlineData("a\nb\r\nc\rd", new[] { 0, 2, 5, 7 })]
    [InlineData("\r\n\r\n", new[] { 0, 2, 4 })]
    [InlineData("\n\r", new[] { 0, 1, 2 })]
    [InlineData("a\r", new[] { 0, 2 })]
    [InlineData("\r\r\n\n", new[] { 0, 1, 3, 4 })]
    public void LineStartsFollowLfCrlfAndLoneCr(string text, int[] starts)
    {
        var index = LineIndex.Create(text);

        Assert.Equal(starts, Enumerable.Range(0, index.LineCount).Select(index.GetLineStart));
    }

    [Fact]
    public void LineEndExcludesTheLineBreak()
    {
        var index = LineIndex.Create("ab\r\ncd\ref\ngh");

        Assert.Equal([2, 6, 9, 12], Enumerable.Range(0, index.LineCount).Select(index.GetLineEnd));
    }

    [Theory]
    [InlineData(PositionEncoding.Utf16, 7)]
    [InlineData(PositionEncoding.Utf8, 9)]
    [InlineData(PositionEncoding.Utf32, 6)]
    public void CharacterAfterAnEmojiCountsItsUnitsInEachEncoding(PositionEncoding encoding, int character)
    {
        var index = LineIndex.Create(Emoji);

        Assert.Equal(7, index.OffsetAt(0, character, encoding));
        Assert.Equal(new DocumentPosition(0, character), index.PositionAt(7, encoding));
    }

    [Theory]
    [InlineData(PositionEncoding.Utf16, 6)]
    [InlineData(PositionEncoding.Utf8, 6)]
    [InlineData(PositionEncoding.Utf8, 7)]
    [InlineData(PositionEncoding.Utf8, 8)]
    public void CharacterInsideAnEmojiSnapsToItsStart(PositionEncoding encoding, int character)
    {
        var index = LineIndex.Create(Emoji);

        Assert.Equal(5, index.OffsetAt(0, character, encoding));
    }

    [Fact]
    public void OffsetInsideASurrogatePairReportsThePairsStart()
    {
        var index = LineIndex.Create(Emoji);

        Assert.Equal(new DocumentPosition(0, 5), index.PositionAt(6, PositionEncoding.Utf16));
        Assert.Equal(new DocumentPosition(0, 5), index.PositionAt(6, PositionEncoding.Utf8));
    }

    [Fact]
    public void TwoByteCharacterCountsTwoInUtf8()
    {
        var index = LineIndex.Create("café = 1");

        Assert.Equal(5, index.OffsetAt(0, 6, PositionEncoding.Utf8));
        Assert.Equal(new DocumentPosition(0, 6), index.PositionAt(5, PositionEncoding.Utf8));
        Assert.Equal(3, index.OffsetAt(0, 4, PositionEncoding.Utf8));
    }

    [Theory]
    [InlineData(PositionEncoding.Utf8)]
    [InlineData(PositionEncoding.Utf16)]
    [InlineData(PositionEncoding.Utf32)]
    public void CharacterPastTheLineEndClampsBeforeTheLineBreak(PositionEncoding encoding)
    {
        var index = LineIndex.Create("ab\r\ncd");

        Assert.Equal(2, index.OffsetAt(0, 100, encoding));
        Assert.Equal(6, index.OffsetAt(1, 3, encoding));
    }

    [Theory]
    [InlineData(-1, 0)]
    [InlineData(2, 0)]
    [InlineData(0, -1)]
    public void PositionOutsideTheTextIsRejected(int line, int character)
    {
        var index = LineIndex.Create("ab\ncd");

        Assert.False(index.TryGetOffset(line, character, PositionEncoding.Utf16, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.OffsetAt(line, character, PositionEncoding.Utf16));
    }

    [Fact]
    public void EmptyLastLineAfterATrailingBreakIsAddressable()
    {
        var index = LineIndex.Create("ab\n");

        Assert.True(index.TryGetOffset(1, 0, PositionEncoding.Utf16, out int offset));
        Assert.Equal(3, offset);
    }

    [Fact]
    public void OffsetBetweenCrAndLfIsTheEndOfItsLine()
    {
        var index = LineIndex.Create("ab\r\ncd");

        Assert.Equal(new DocumentPosition(0, 2), index.PositionAt(3, PositionEncoding.Utf16));
        Assert.Equal(new DocumentPosition(1, 0), index.PositionAt(4, PositionEncoding.Utf16));
    }

    [Fact]
    public void LineOfOffsetFindsTheContainingLine()
    {
        var index = LineIndex.Create("ab\ncd\n");

        Assert.Equal([0, 0, 0, 1, 1, 1, 2], Enumerable.Range(0, 7).Select(index.GetLineOfOffset));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.GetLineOfOffset(7));
    }
}

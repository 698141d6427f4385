using CodeAssist.Server.Documents;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.Documents;

[Trait(TestCategory.Name, TestCategory.Unit)]
public class DocumentSnapshotTests
{
    private static DocumentSnapshot Snapshot(string text) => new TextDocument("file:///s.py", "python", 1, text).GetSnapshot();

    [Fact]
    public void TextBeforeAndAfterAreBoundedWindows()
    {
        DocumentSnapshot snapshot = Snapshot("abcdefghij");

        Assert.Equal("cde", snapshot.GetTextBefore(5, 3).ToString());
        Assert.Equal("abcde", snapshot.GetTextBefore(5, 100).ToString());
        Assert.Equal("fg", snapshot.GetTextAfter(5, 2).ToString());
        Assert.Equal("fghij", snapshot.GetTextAfter(5, int.MaxValue).ToString());
    }

    [Fact]
    public void WindowsNeverSplitASurrogatePairOrACrlf()
    {
        DocumentSnapshot snapshot = Snapshot("a😀b\r\nc");

        Assert.Equal("b\r\nc", snapshot.GetTextBefore(7, 5).ToString());
        Assert.Equal("c", snapshot.GetTextBefore(7, 2).ToString());
        Assert.Equal("a", snapshot.GetTextAfter(0, 2).ToString());
        Assert.Equal("b", snapshot.GetTextAfter(3, 2).ToString());
    }

    [Fact]
    public void ConversionsUseTheRequestedEncoding()
    {
        DocumentSnapshot snapshot = Snapshot("s = 'é😀'\nt");

        Assert.Equal(8, snapshot.OffsetAt(0, 11, PositionEncoding.Utf8));
        Assert.Equal(new DocumentPosition(0, 7), snapshot.PositionAt(8, PositionEncoding.Utf32));
        Assert.True(snapshot.TryGetOffset(1, 0, PositionEncoding.Utf16, out int offset));
        Assert.Equal(10, offset);
        Assert.False(snapshot.TryGetOffset(2, 0, PositionEncoding.Utf16, out _));
    }
}

using CodeAssist.Server.Documents;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.Documents;

[Trait(TestCategory.Name, TestCategory.Unit)]
public class DocumentStoreTests
{
    private const string Uri = "file:///w/main.py";
    private const PositionEncoding Utf16 = PositionEncoding.Utf16;

    [Fact]
    public void OpenedDocumentCanBeReadAndClosed()
    {
        var store = new DocumentStore();
        store.Open(Uri, "python", 3, "print(1)\n");

        Assert.True(store.TryGet(Uri, out DocumentSnapshot? snapshot));
        Assert.Equal("print(1)\n", snapshot.Text);
        Assert.Equal(3, snapshot.Version);
        Assert.Equal("python", snapshot.LanguageId);
        Assert.Equal(1, store.Count);
        Assert.True(store.Close(Uri));
        Assert.False(store.TryGet(Uri, out _));
        Assert.False(store.Close(Uri));
    }

    [Fact]
    public void ChangesOfOneNotificationApplyInOrder()
    {
        var store = new DocumentStore();
        store.Open(Uri, "python", 1, "a = 1\n");

        store.Change(
            Uri,
            2,
            [
                DocumentChange.Incremental(0, 4, 0, 5, "2"),
                DocumentChange.Incremental(1, 0, 1, 0, "b = a\n"),
                DocumentChange.Incremental(1, 4, 1, 5, "a + 1"),
            ],
            Utf16);

        Assert.True(store.TryGet(Uri, out DocumentSnapshot? snapshot));
        Assert.Equal("a = 2\nb = a + 1\n", snapshot.Text);
        Assert.Equal(2, snapshot.Version);
    }

    [Fact]
    public void ChangeWithoutRangeReplacesTheText()
    {
        var store = new DocumentStore();
        store.Open(Uri, "python", 1, "old");

        store.Change(Uri, 2, [DocumentChange.Full("new\r\ntext")], Utf16);

        Assert.True(store.TryGet(Uri, out DocumentSnapshot? snapshot));
        Assert.Equal("new\r\ntext", snapshot.Text);
        Assert.Equal(2, snapshot.LineCount);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(10)]
    public void AnIncrementalChangeWhoseVersionDoesNotIncreaseMarksTheDocumentOutOfSync(int version)
    {
        var store = new DocumentStore();
        store.Open(Uri, "python", 10, "a");

        var error = Assert.Throws<DocumentChangeException>(() => store.Change(Uri, version, [DocumentChange.Incremental(0, 1, 0, 1, "b")], Utf16));

        Assert.Equal(version, error.Version);
        Assert.Equal(10, error.CurrentVersion);
        Assert.Contains("not greater than the current version 10", error.Message, StringComparison.Ordinal);
        Assert.False(store.TryGet(Uri, out _, out DocumentSyncLoss? loss));
        Assert.Equal(error.Message, loss?.Reason);
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public void ChangeToAnUnknownDocumentThrowsOnceAndLeavesItOutOfSyncUntilOpened()
    {
        var store = new DocumentStore();

        var error = Assert.Throws<DocumentChangeException>(() => store.Change(Uri, 1, [DocumentChange.Incremental(0, 0, 0, 0, "x")], Utf16));

        Assert.Equal(Uri, error.Uri);
        Assert.Null(error.CurrentVersion);
        Assert.Contains("not open", error.Message, StringComparison.Ordinal);
        Assert.Equal(DocumentChangeOutcome.Skipped, store.Change(Uri, 2, [DocumentChange.Incremental(0, 0, 0, 0, "y")], Utf16));

        // Even a whole text does not make it a document: only didOpen says which language it is.
        Assert.Equal(DocumentChangeOutcome.Skipped, store.Change(Uri, 3, [DocumentChange.Full("z")], Utf16));
        Assert.False(store.TryGet(Uri, out _, out DocumentSyncLoss? loss));
        Assert.NotNull(loss);
        Assert.Equal(0, store.Count);
        Assert.False(store.Close(Uri));

        store.Open(Uri, "python", 4, "opened");
        Assert.True(store.TryGet(Uri, out DocumentSnapshot? snapshot, out loss));
        Assert.Null(loss);
        Assert.Equal("opened", snapshot.Text);
    }

    [Fact]
    public void ChangeOutsideTheDocumentMarksItOutOfSyncUntilAChangeSendsTheWholeText()
    {
        var store = new DocumentStore();
        store.Open(Uri, "python", 1, "a\nb");

        var error = Assert.Throws<DocumentChangeException>(
            () => store.Change(Uri, 2, [DocumentChange.Incremental(5, 0, 5, 0, "x")], Utf16));

        Assert.Contains("outside", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, error.Version);
        Assert.Equal(1, error.CurrentVersion);
        Assert.False(store.TryGet(Uri, out _));

        // Later incremental changes would edit a text the editor does not have: skipped, and no new error.
        Assert.Equal(DocumentChangeOutcome.Skipped, store.Change(Uri, 3, [DocumentChange.Incremental(0, 0, 0, 0, "y")], Utf16));
        Assert.False(store.TryGet(Uri, out _));

        // The changes from the last whole text on are applied, whatever came before it.
        Assert.Equal(
            DocumentChangeOutcome.Resynced,
            store.Change(Uri, 4, [DocumentChange.Incremental(9, 0, 9, 0, "?"), DocumentChange.Full("c = 1\n"), DocumentChange.Incremental(1, 0, 1, 0, "d = 2\n")], Utf16));
        Assert.True(store.TryGet(Uri, out DocumentSnapshot? snapshot, out DocumentSyncLoss? loss));
        Assert.Null(loss);
        Assert.Equal("c = 1\nd = 2\n", snapshot.Text);
        Assert.Equal(4, snapshot.Version);
        Assert.Equal(DocumentChangeOutcome.Applied, store.Change(Uri, 5, [DocumentChange.Incremental(2, 0, 2, 0, "e")], Utf16));
    }

    [Fact]
    public void AWholeTextIsAppliedWhateverItsVersion()
    {
        var store = new DocumentStore();
        store.Open(Uri, "python", 10, "a");

        Assert.Equal(DocumentChangeOutcome.Applied, store.Change(Uri, 3, [DocumentChange.Full("b")], Utf16));

        Assert.True(store.TryGet(Uri, out DocumentSnapshot? snapshot));
        Assert.Equal("b", snapshot.Text);
        Assert.Equal(3, snapshot.Version);
    }

    [Fact]
    public void ReopeningBringsAnOutOfSyncDocumentBack()
    {
        var store = new DocumentStore();
        store.Open(Uri, "python", 1, "a");
        Assert.Throws<DocumentChangeException>(() => store.Change(Uri, 1, [DocumentChange.Incremental(0, 0, 0, 0, "b")], Utf16));

        store.Open(Uri, "python", 1, "fresh");

        Assert.True(store.TryGet(Uri, out DocumentSnapshot? snapshot));
        Assert.Equal("fresh", snapshot.Text);
        Assert.Equal(DocumentChangeOutcome.Applied, store.Change(Uri, 2, [DocumentChange.Incremental(0, 0, 0, 0, "x")], Utf16));
    }

    [Fact]
    public void ReopeningADocumentReplacesIt()
    {
        var store = new DocumentStore();
        store.Open(Uri, "python", 1, "a");
        store.Open(Uri, "python", 7, "b");

        Assert.True(store.TryGet(Uri, out DocumentSnapshot? snapshot));
        Assert.Equal("b", snapshot.Text);
        Assert.Equal(7, snapshot.Version);
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public void SnapshotStaysUnchangedAfterLaterChanges()
    {
        var store = new DocumentStore();
        store.Open(Uri, "python", 1, "x = 1\n");
        Assert.True(store.TryGet(Uri, out DocumentSnapshot? before));

        store.Change(Uri, 2, [DocumentChange.Incremental(0, 0, 1, 0, "y = 2\nz = 3\n")], Utf16);

        Assert.Equal("x = 1\n", before.Text);
        Assert.Equal(2, before.LineCount);
        Assert.Equal(new DocumentPosition(1, 0), before.PositionAt(6));
    }

    [Fact]
    public async Task ConcurrentReadersAlwaysSeeAWholeVersion()
    {
        const int Versions = 1500;
        var store = new DocumentStore();
        store.Open(Uri, "python", 0, string.Empty);
        Assert.True(store.TryGet(Uri, out DocumentSnapshot? first));
        using var done = new CancellationTokenSource();

        Task writer = Task.Run(() =>
        {
            for (int version = 1; version <= Versions; version++)
            {
                // Insert the line in two edits, so a reader that saw half of a notification would see a broken line.
                store.Change(
                    Uri,
                    version,
                    [DocumentChange.Incremental(version - 1, 0, version - 1, 0, "\n"), DocumentChange.Incremental(version - 1, 0, version - 1, 0, $"line {version}")],
                    Utf16);
            }

            done.Cancel();
        });

        Task<int>[] readers = [.. Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            int reads = 0;
            while (!done.IsCancellationRequested || reads == 0)
            {
                Assert.True(store.TryGet(Uri, out DocumentSnapshot? snapshot));
                AssertWholeVersion(snapshot);
                reads++;
            }

            return reads;
        }))];

        await writer;
        int[] counts = await Task.WhenAll(readers);
        Assert.All(counts, count => Assert.True(count > 0));
        Assert.Equal(string.Empty, first.Text);
        Assert.True(store.TryGet(Uri, out DocumentSnapshot? last));
        Assert.Equal(Versions, last.Version);
        AssertWholeVersion(last);
    }

    private static void AssertWholeVersion(DocumentSnapshot snapshot)
    {
        Assert.Equal(snapshot.Version + 1, snapshot.LineCount);
        for (int line = 0; line < snapshot.Version; line++)
        {
            Assert.Equal($"line {line + 1}", snapshot.GetLineText(line));
        }

        Assert.Equal(snapshot.Length, snapshot.Lines.GetLineStart(snapshot.LineCount - 1));
    }
}

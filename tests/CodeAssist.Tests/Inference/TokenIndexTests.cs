using CodeAssist.Server.Inference;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.Inference;

/// <summary>The copy model's n-gram index over many files: the same answers as a scan of every file, in a fraction of the memory of their text.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public class TokenIndexTests
{
    [Theory]
    [InlineData(0, 1)]
    [InlineData(100_000, 2)] // ids past 65,534: the four-byte layout (Qwen's 151,643-token vocabulary)
    [InlineData(0, 3)]
    public void FindsWhatAScanOfEveryFileFinds(int offset, int seed)
    {
        var random = new Random(seed);
        var files = Enumerable.Range(0, 12)
            .Select(f => new IndexedFile($"/w/f{f}.py", f, [.. Enumerable.Range(0, random.Next(0, 600)).Select(_ => offset + random.Next(5))]))
            .ToList();
        var index = TokenIndex.Build(files);
        var followers = new Dictionary<int, double>();
        var expected = new Dictionary<int, double>();
        for (var trial = 0; trial < 300; trial++)
        {
            var history = Enumerable.Range(0, random.Next(1, 12)).Select(_ => offset + random.Next(5)).ToArray();
            var excluded = trial % 3 == 0 ? new HashSet<int> { random.Next(12), random.Next(12) } : null;
            var maxMatch = 1 + random.Next(10);

            var (best, count) = index.Longest(history, maxMatch, excluded, followers);
            var (wantBest, wantCount) = Scan(files, history, maxMatch, excluded, expected);

            Assert.Equal(wantBest, best);
            Assert.Equal(wantCount, count);
            Assert.Equal(expected.OrderBy(p => p.Key), followers.OrderBy(p => p.Key));
        }
    }

    [Fact]
    public void AMatchNeverRunsAcrossTwoFilesAndNeedsFourTokens()
    {
        // a.py ends "1 2", b.py starts "3 4 9 5 6": "1 2 3 4" would only match across the boundary.
        var index = TokenIndex.Build([new IndexedFile("/a.py", 0, [7, 7, 1, 2]), new IndexedFile("/b.py", 0, [3, 4, 9, 5, 6])]);
        var followers = new Dictionary<int, double>();

        Assert.Equal((0, 0), index.Longest([1, 2, 3, 4], 32, null, followers));
        Assert.Equal((4, 1), index.Longest([2, 3, 4, 9, 5], 32, null, followers));
        Assert.Equal(1, followers[6]);

        // Three matching tokens are not enough for the index (its key is four long), and the last token proposes nothing.
        Assert.Equal((0, 0), index.Longest([4, 9, 5], 32, null, followers));
        Assert.Equal((0, 0), index.Longest([4, 9, 5, 6], 32, null, followers));
    }

    [Fact]
    public void ProposesWhatFollowedAndCountsEveryOccurrence()
    {
        var index = TokenIndex.Build([
            new IndexedFile("/a.py", 0, [1, 2, 3, 4, 10, 1, 2, 3, 4, 11]),
            new IndexedFile("/b.py", 0, [9, 1, 2, 3, 4, 10]),
        ]);
        var followers = new Dictionary<int, double>();

        Assert.Equal((4, 3), index.Longest([1, 2, 3, 4], 32, null, followers));
        Assert.Equal(2, followers[10]);
        Assert.Equal(1, followers[11]);

        // "9 1 2 3 4" is longer and occurs once, in b.py; excluding b.py leaves a.py's two.
        Assert.Equal((5, 1), index.Longest([9, 1, 2, 3, 4], 32, null, followers));
        Assert.Equal(1, followers[10]);
        Assert.Equal((4, 2), index.Longest([9, 1, 2, 3, 4], 32, index.IdsOf(["/b.py"]), followers));
    }

    [Fact]
    public void TokensOfAnUnchangedFileAreKeptForARebuild()
    {
        var index = TokenIndex.Build([new IndexedFile("/a.py", 42, [5, 6, 7]), new IndexedFile("/b.py", 7, [100, 200])]);

        Assert.Equal([5, 6, 7], index.TokensOf("/a.py", 42)!);
        Assert.Equal([100, 200], index.TokensOf("/b.py", 7)!);
        Assert.Null(index.TokensOf("/a.py", 43));
        Assert.Null(index.TokensOf("/c.py", 42));
        Assert.Equal(2, index.FileCount);
        Assert.Equal(5, index.TokenCount);
    }

    [Fact]
    public void SmallVocabulariesTakeSixBytesPerToken()
    {
        var random = new Random(5);
        var tokens = Enumerable.Range(0, 100_000).Select(_ => random.Next(4096)).ToArray();
        var index = TokenIndex.Build([new IndexedFile("/big.py", 0, tokens)]);

        Assert.InRange(index.Bytes, 6 * 100_000 - 100, 6 * 100_000 + 100);
    }

    /// <summary>The reference: every file scanned, as the copy model scans the prompt.</summary>
    private static (int Best, int Count) Scan(List<IndexedFile> files, int[] history, int maxMatch, HashSet<int>? excluded, Dictionary<int, double> followers)
    {
        followers.Clear();
        var best = 0;
        var count = 0;
        var n = history.Length;
        for (var f = 0; f < files.Count; f++)
        {
            if (excluded?.Contains(f) == true)
            {
                continue;
            }

            var source = files[f].Tokens;
            for (var j = 0; j + 1 < source.Length; j++)
            {
                var k = 0;
                while (k < maxMatch && k < n && j - k >= 0 && source[j - k] == history[n - 1 - k])
                {
                    k++;
                }

                if (k < TokenIndex.GramLength || k < best)
                {
                    continue;
                }

                if (k > best)
                {
                    best = k;
                    count = 0;
                    followers.Clear();
                }

                followers[source[j + 1]] = followers.GetValueOrDefault(source[j + 1]) + 1;
                count++;
            }
        }

        return (best, count);
    }
}

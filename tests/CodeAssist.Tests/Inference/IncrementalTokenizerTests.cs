using System.Runtime.InteropServices;
using CodeAssist.Server.Inference;
using CodeAssist.Tests.Models;
using CodeAssist.Tests.Testing;
using LLama.Native;
using Microsoft.Extensions.Logging.Abstractions;

namespace CodeAssist.Tests.Inference;

[Trait(TestCategory.Name, TestCategory.Model)]
public sealed class IncrementalTokenizerTests
{
    [Theory]
    [InlineData("x = 1\nclass A:\n", 6, true)] // after a lone "\n", before a word
    [InlineData("x = 1\n\nclass A:\n", 7, false)] // after a blank line: "\n\n" is a run, its last "\n" stands alone
    [InlineData("x = 1  \nclass A:\n", 8, false)] // trailing spaces make the run longer than one
    [InlineData("x:\n    return y\n", 6, true)] // before the last space of an indentation
    [InlineData("x:\n    return y\n", 5, false)] // inside the indentation
    [InlineData("x:\n    42\n", 6, false)] // digits are split off before the pre-tokenizer runs
    [InlineData("x:\n\treturn y\n", 4, false)] // a tab does not join the word as a space does
    [InlineData("a = b\n", 1, false)] // the space before "=" belongs to it
    public void SafeBoundariesAreWhereNoPreTokenCanCross(string text, int offset, bool safe)
    {
        Assert.Equal(safe, IncrementalTokenizer.IsSafeBoundary(text, offset));
    }

    [Fact]
    public void TypingAFileCharacterByCharacterGivesTheTokensOfTheWholeText()
    {
        using var model = LocalModel.Load(RepositoryPaths.TinyModel, new LocalModelOptions { ContextSize = 512, Threads = 1 }, NullLogger.Instance);
        Assert.True(model.TokenizesIncrementally);
        int[] Whole(string text) => MemoryMarshal.Cast<LLamaToken, int>(model.Tokenize(text)).ToArray();
        var tokenizer = new IncrementalTokenizer(Whole, id => model.PieceOf((LLamaToken)id).Length);

        // Real Python, typed from a third of the way in, with the window start moving now and then as the prompt
        // builder's does, and a suffix asked for again and again.
        var source = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "models", "train", "model.py")).ReplaceLineEndings("\n");
        var start = 0;
        var typed = 0L;
        var suffix = source[(source.Length / 2)..];
        for (var cursor = source.Length / 3; cursor < source.Length / 2; cursor++)
        {
            if (cursor % 97 == 0)
            {
                start = source.IndexOf('\n', start + 1) + 1;
            }

            var prefix = source[start..cursor];
            typed += prefix.Length + suffix.Length;
            Assert.Equal(Whole(prefix), tokenizer.Tokenize(prefix));
            Assert.Equal(Whole(suffix), tokenizer.Tokenize(suffix));
        }

        Assert.True(tokenizer.CharsTokenized * 20 < typed, $"tokenized {tokenizer.CharsTokenized} of {typed} characters asked for");
    }

    [Fact]
    public void ATokenizerThatMarksTheStartOfEveryTextFailsTheCheck()
    {
        // SentencePiece adds a word-start marker to every text it is given: cutting a text in two adds one.
        static int[] Marked(string text) => [0, .. text.Split('\n').Select(line => line.Length + 1)];
        Assert.False(IncrementalTokenizer.IsExact(Marked, "def f():\n    return 1\nclass A:\n    pass\n"));
    }

    [Fact]
    public void AnEditBeforeTheCachedTextTokenizesItWhole()
    {
        var calls = new List<string>();
        int[] Characters(string text)
        {
            calls.Add(text);
            return [.. text.Select(c => (int)c)];
        }

        var tokenizer = new IncrementalTokenizer(Characters, _ => 1);
        var text = string.Concat(Enumerable.Repeat("def f(x):\n    return x\n", 30));
        Assert.Equal(Characters(text), tokenizer.Tokenize(text));
        calls.Clear();

        var edited = "#" + text;
        Assert.Equal(edited.Select(c => (int)c), tokenizer.Tokenize(edited));
        Assert.Equal([edited], calls);

        calls.Clear();
        var appended = edited + "def g";
        Assert.Equal(appended.Select(c => (int)c), tokenizer.Tokenize(appended));
        Assert.True(calls.Single().Length < 40, $"tokenized {calls.Single().Length} characters to append 5");
    }
}

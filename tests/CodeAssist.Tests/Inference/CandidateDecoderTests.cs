using CodeAssist.Server.Inference;
using CodeAssist.Tests.Gguf;
using CodeAssist.Tests.Models;
using CodeAssist.Tests.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace CodeAssist.Tests.Inference;

/// <summary>
/// Several candidates per request (<c>CandidateDecoder</c>): branches off the greedy candidate that share the prompt's
/// cells, decoded in one batch, dropped when the request ends.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Model)]
public class CandidateDecoderTests
{
    private static readonly TestModelOptions Peaked = new() { OutputScale = 4f, Seed = 77 };

    private const string Source = "import os\n\n\ndef read_config(path):\n    with open(path) as handle:\n        return handle.read()\n\n\ndef main():\n    config = read_config(\"settings.ini\")\n    print(config)\n";

    private static LocalModel Load(int candidates, bool reuse = true) =>
        LocalModel.Load(
            TestModel.Get(Peaked).Path,
            new LocalModelOptions { ContextSize = 512, Threads = 1, ReuseKvCache = reuse, Candidates = candidates, MaxTokens = 24 },
            NullLogger.Instance);

    private static LocalModel LoadShipped(int candidates) =>
        LocalModel.Load(
            RepositoryPaths.ShippedModel("codeassist-py-tiny.gguf"),
            new LocalModelOptions { ContextSize = 512, Threads = 1, Candidates = candidates, MaxTokens = 32 },
            NullLogger.Instance);

    private static IEnumerable<CompletionRequest> Requests()
    {
        foreach (var marker in new[] { "print", "config =", "return", "with open" })
        {
            var cursor = Source.IndexOf(marker, StringComparison.Ordinal) + 2;
            yield return new CompletionRequest(Source[..cursor], Source[cursor..], 24);
        }
    }

    [Fact]
    public async Task TheFirstCandidateIsTheGreedyOneAndTheOthersBranchOffIt()
    {
        // The shipped model (a random one has exact near-ties, which batched decodes of several sequences, rounding
        // differently from single ones, may break the other way).
        using var single = LoadShipped(candidates: 1);
        using var branching = LoadShipped(candidates: 4);
        var alternatives = 0;
        foreach (var request in Requests())
        {
            // A margin this wide branches at the first tokens, so every request has alternatives.
            var greedy = await single.CompleteAsync(request, CancellationToken.None);
            var several = await branching.CompleteAsync(request with { Candidates = 4, BranchMargin = 50 }, CancellationToken.None);
            Assert.Equal(greedy.RawText, several.RawText);
            Assert.Equal(greedy.GeneratedTokens, several.GeneratedTokens);
            Assert.Empty(greedy.Alternatives);
            Assert.InRange(several.Alternatives.Count, 1, 3);
            foreach (var alternative in several.Alternatives)
            {
                Assert.NotEqual(several.RawText, alternative.RawText);
                Assert.True(alternative.GeneratedTokens <= request.MaxTokens + 8, $"{alternative.GeneratedTokens} tokens");
                Assert.True(alternative.MeanLogprob <= 0);
            }

            alternatives += several.Alternatives.Count;
        }

        Assert.True(alternatives >= 4, $"{alternatives} alternatives");
    }

    [Fact]
    public async Task ASureModelDoesNotBranchWithATightMargin()
    {
        using var branching = Load(candidates: 4);
        var request = Requests().First() with { Candidates = 4, BranchMargin = 0 };
        var answer = await branching.CompleteAsync(request, CancellationToken.None);

        // With no margin only an exact tie would branch; the peaked model has none.
        Assert.Empty(answer.Alternatives);
    }

    [Fact]
    public async Task BranchesLeaveTheCacheAsASingleCandidateWouldWhileTyping()
    {
        // The branches' cells are dropped when a request ends: what the next keystroke reuses is the prompt and the first
        // candidate, so a request after a branching one answers as a model that decodes every prompt whole.
        using var branching = Load(candidates: 4);
        using var fresh = Load(candidates: 1, reuse: false);
        var cursor = Source.IndexOf("print", StringComparison.Ordinal);
        for (var typed = 0; typed <= 5; typed++)
        {
            var request = new CompletionRequest(Source[..(cursor + typed)], Source[(cursor + 5)..], 20);
            var several = await branching.CompleteAsync(request with { Candidates = 4, BranchMargin = 50 }, CancellationToken.None);
            Assert.NotEmpty(several.Alternatives);
            var after = await branching.CompleteAsync(request, CancellationToken.None);
            var alone = await fresh.CompleteAsync(request, CancellationToken.None);
            Assert.Equal(alone.RawText, after.RawText);
            Assert.Equal(alone.GeneratedTokens, after.GeneratedTokens);
            Assert.True(after.ReusedPromptTokens > after.PromptTokens / 2, $"reused {after.ReusedPromptTokens} of {after.PromptTokens}");
        }
    }

    [Fact]
    public async Task AFirstCandidateTheCallerAcceptsIsDecodedAloneAndARefusedOneGetsAlternatives()
    {
        using var model = LoadShipped(candidates: 4);
        var seen = new List<(string Text, double Start, StopReason Stop)>();
        var request = Requests().First() with { Candidates = 4, BranchMargin = 50 };
        var accepted = await model.CompleteAsync(request with { Accept = (text, start, stop) => { seen.Add((text, start, stop)); return true; } }, CancellationToken.None);
        Assert.Empty(accepted.Alternatives);
        Assert.Equal((accepted.Text, accepted.StartLogprob, accepted.StopReason), Assert.Single(seen));

        var refused = await model.CompleteAsync(request with { Accept = (_, _, _) => false }, CancellationToken.None);
        Assert.Equal(accepted.RawText, refused.RawText);
        Assert.Equal(3, refused.Alternatives.Count);
    }

    [Fact]
    public async Task WhereTheCopyModelOverrodeTheModelTheModelsOwnWayOnIsTheFirstAlternative()
    {
        // The e2e's headline case: after print( in main's loop, the copy model follows "open(path) as handle:" from
        // read_lines. Refused, the first candidate's first alternative is what the model alone writes from the first token
        // the copy model overrode: no second decode needed to hear the model without it.
        const string prefix = "import os\n\n\ndef read_lines(path):\n    with open(path) as handle:\n        return handle.read().splitlines()\n\n\ndef main():\n    for name in os.listdir(\".\"):\n        print(";
        using var model = LoadShipped(candidates: 4);
        var request = new CompletionRequest(prefix, "\n", 16) { Candidates = 4, ForkWhereCopied = true };
        var alone = await model.CompleteAsync(request with { Candidates = 1 }, CancellationToken.None);
        var copying = await model.CompleteAsync(request with { Copy = ContextCopyOptions.Default, Accept = (_, _, _) => false }, CancellationToken.None);
        Assert.StartsWith("path)", copying.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("path", alone.Text, StringComparison.Ordinal);
        Assert.NotEmpty(copying.Alternatives);
        Assert.Equal(alone.RawText, copying.Alternatives[0].RawText);
        Assert.InRange(copying.Alternatives.Count, 1, 3);

        // Not asked for (single-line keystrokes), the alternatives are the close ones, closest first.
        var close = await model.CompleteAsync(request with { Copy = ContextCopyOptions.Default, Accept = (_, _, _) => false, ForkWhereCopied = false }, CancellationToken.None);
        Assert.Equal(copying.RawText, close.RawText);
        Assert.NotEqual(alone.RawText, close.Alternatives[0].RawText);
    }

    [Fact]
    public async Task AlternativesTooUnsureToBeShownStopAndAreNoCandidates()
    {
        using var model = LoadShipped(candidates: 4);
        var request = Requests().First() with { Candidates = 4, BranchMargin = 50, MaxTokens = 32 };

        // Every compared call reuses the prompt's KV cache: a cold prompt decode rounds differently from a reused one on
        // some CPUs (AVX-512 kernels), enough to swap two near-equal tokens of an alternative.
        await model.CompleteAsync(request, CancellationToken.None);
        var all = await model.CompleteAsync(request, CancellationToken.None);
        var lenient = await model.CompleteAsync(request with { DropBelow = -50 }, CancellationToken.None);
        var strict = await model.CompleteAsync(request with { DropBelow = 0 }, CancellationToken.None);
        Assert.Equal(all.Alternatives.Select(c => c.RawText), lenient.Alternatives.Select(c => c.RawText));

        // No start is certain (log-probability 0): only alternatives that ended before their start was complete are left.
        Assert.True(strict.Alternatives.Count < all.Alternatives.Count, $"{strict.Alternatives.Count} of {all.Alternatives.Count}");
        Assert.All(strict.Alternatives, c => Assert.True(
            System.Text.Encoding.UTF8.GetByteCount(c.Text) < ModelCompletion.StartBytes || c.StartLogprob >= 0, c.RawText));
        Assert.Equal(all.RawText, strict.RawText);
    }

    [Fact]
    public async Task EveryCandidateReportsItsTokensScoresAndWhereTheyEnd()
    {
        using var model = LoadShipped(candidates: 4);
        var answer = await model.CompleteAsync(Requests().First() with { Candidates = 4, BranchMargin = 50, MaxTokens = 16 }, CancellationToken.None);
        foreach (var candidate in (IEnumerable<ModelCompletion>)[answer, .. answer.Alternatives])
        {
            Assert.Equal(candidate.GeneratedTokens, candidate.Tokens.Count);
            Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(candidate.Text), candidate.Tokens[^1].End);
            Assert.True(candidate.Tokens.Zip(candidate.Tokens.Skip(1)).All(p => p.First.End <= p.Second.End));
            Assert.Equal(candidate.MinLogprob, candidate.Tokens.Min(t => t.Logprob), 4);
            Assert.True(candidate.StartLogprob <= 0 && candidate.StartLogprob >= candidate.Tokens.Where(t => t.End > 0).Sum(t => t.Logprob) - 1e-4);
        }
    }

    [Fact]
    public void TheStartIsTheTokensThatBringTheFirstNewBytesHealedOnesLeftOut()
    {
        // Healing re-typed "pr" (ends 0 and below), then "int" brings 3 new bytes: the start is that token alone.
        TokenScore[] tokens = [new(-1, -0.5f), new(0, -0.25f), new(3, -0.125f), new(5, -2f)];
        Assert.Equal(-0.125, ModelCompletion.StartOf(tokens, 0), 6);

        // Short tokens count until the third new byte; ends may also be counted from the output's start (healed bytes given).
        TokenScore[] shortOnes = [new(2, -0.5f), new(3, -0.25f), new(4, -1f), new(9, -3f)];
        Assert.Equal(-0.75, ModelCompletion.StartOf(shortOnes, 0), 6);
        Assert.Equal(-0.25 - 1 - 3, ModelCompletion.StartOf(shortOnes, 2), 6);

        // A candidate shorter than the start: all its new tokens; no tokens reported: the mean log-probability.
        Assert.Equal(-0.75, ModelCompletion.StartOf([new(1, -0.5f), new(2, -0.25f)], 0), 6);
        var reportsNone = new ModelCompletion("x", "x", 1, -1.5, -1.5, 1, 0, StopReason.EndToken, TimeSpan.Zero);
        Assert.Equal(-1.5, reportsNone.StartLogprob);
    }

    [Fact]
    public async Task ARequestForMoreCandidatesThanTheContextHoldsGetsWhatFits()
    {
        using var model = Load(candidates: 2);
        var answer = await model.CompleteAsync(Requests().First() with { Candidates = 8, BranchMargin = 50 }, CancellationToken.None);
        Assert.Single(answer.Alternatives);
    }

    [Fact]
    public async Task TheShippedModelProposesDistinctCandidatesThatStartWithTheTypedText()
    {
        using var model = LoadShipped(candidates: 4);
        var prefix = "import os\n\nfor name in os.listdir(\".\"):\n    pr";
        var answer = await model.CompleteAsync(new CompletionRequest(prefix, "\n", 32, Candidates: 4, BranchMargin: 50), CancellationToken.None);
        var candidates = new[] { answer }.Concat(answer.Alternatives).ToList();
        Assert.Equal(4, candidates.Count);
        Assert.Equal(4, candidates.Select(c => c.RawText).Distinct(StringComparer.Ordinal).Count());

        // Each starts with the healed end of the prefix (at least the typed "pr"), then goes on with its own text.
        Assert.All(candidates, c => Assert.EndsWith(c.RawText[..^c.Text.Length], prefix, StringComparison.Ordinal));
        Assert.All(candidates, c => Assert.True(c.RawText.Length - c.Text.Length >= 2, c.RawText));
    }

    [Fact]
    public async Task SampledCandidatesFollowTheGreedyOneAreSeededAndShareThePrompt()
    {
        using var greedyOnly = LoadShipped(candidates: 1);
        using var sampling = LoadShipped(candidates: 4);
        var request = Requests().ElementAt(2) with { MaxTokens = 24 };
        var samples = new SamplingOptions(Count: 7, Temperature: 1.0, TopP: 0.95, Seed: 1, Budget: TimeSpan.FromMinutes(1));
        var greedy = await greedyOnly.CompleteAsync(request, CancellationToken.None);
        var first = await sampling.CompleteAsync(request with { Sampling = samples }, CancellationToken.None);

        // The greedy candidate first, then every sample (three waves of up to three branches, in sequences 1..3).
        Assert.Equal(greedy.RawText, first.RawText);
        Assert.Equal(7, first.Alternatives.Count);
        Assert.All(first.Alternatives, a => Assert.InRange(a.GeneratedTokens, 1, request.MaxTokens + 8));
        Assert.True(first.Alternatives.Select(a => a.RawText).Distinct().Count() >= 3, string.Join(" | ", first.Alternatives.Select(a => a.RawText)));

        // Seeded: the same request on a fresh context samples the same texts; another seed, others. (With the prompt
        // reused from the cache, the cells sit elsewhere and the sums of attention round differently: a draw near a
        // boundary may then go the other way.)
        using var fresh = LoadShipped(candidates: 4);
        var again = await fresh.CompleteAsync(request with { Sampling = samples }, CancellationToken.None);
        Assert.Equal(first.Alternatives.Select(a => a.RawText), again.Alternatives.Select(a => a.RawText));
        var reused = await fresh.CompleteAsync(request with { Sampling = samples }, CancellationToken.None);
        Assert.True(reused.ReusedPromptTokens >= reused.PromptTokens - 1, $"{reused.ReusedPromptTokens} of {reused.PromptTokens} reused");
        Assert.Equal(7, reused.Alternatives.Count);
        var other = await sampling.CompleteAsync(request with { Sampling = samples with { Seed = 99 } }, CancellationToken.None);
        Assert.NotEqual(first.Alternatives.Select(a => a.RawText), other.Alternatives.Select(a => a.RawText));

        // The branches are gone afterwards: a plain request answers as the greedy model does.
        var plain = await sampling.CompleteAsync(request, CancellationToken.None);
        Assert.Equal(greedy.RawText, plain.RawText);
    }

    [Fact]
    public async Task NoSampleStartsAfterTheBudget()
    {
        using var sampling = LoadShipped(candidates: 4);
        var request = Requests().First() with { Sampling = new SamplingOptions(Count: 30, Temperature: 0.8, TopP: 0.95, Seed: 1, Budget: TimeSpan.Zero) };
        var answer = await sampling.CompleteAsync(request, CancellationToken.None);
        Assert.Empty(answer.Alternatives);
    }
}

using System.Diagnostics;
using System.Globalization;
using CodeAssist.Server;
using CodeAssist.Server.Completion;
using CodeAssist.Server.Configuration;
using CodeAssist.Server.Inference;
using CodeAssist.Server.Inference.Remote;
using CodeAssist.Server.Models;
using CodeAssist.Server.Routing;
using LLama.Native;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CodeAssist.Tools.Evaluation;

/// <summary>The baselines (copy model alone, repeat the previous line, unigram) and the per-model measurements (loss per token, generation speed).</summary>
public sealed partial class EvalRunner
{
    // The pipeline as it runs the default model (context copy on), with the model's weights replaced by noise: what the
    // copy model achieves with nothing learned behind it.
    private async Task<ContestantResult> RunCopyOnlyAsync(string folder, EvalCorpus corpus, IReadOnlyList<string> lossFileList, CancellationToken cancellationToken)
    {
        var tiny = DefaultModelLocator.Resolve(null);
        if (tiny is null || !File.Exists(tiny))
        {
            return ContestantResult.NotRun(CopyOnly, ContestantKind.Baseline, ContestantStatus.NotFound, $"the shipped model whose shape it copies was not found: {DefaultModelLocator.DefaultModelFileName}");
        }

        var random = Path.Combine(Path.GetTempPath(), $"codeassist-eval-{Environment.ProcessId}-random-weights.gguf");
        try
        {
            RandomWeights.Write(tiny, random);
            var result = await RunPipelineAsync(new ContestantSpec(random, ContestantKind.Model), CopyOnly, folder, corpus, lossFileList, cancellationToken).ConfigureAwait(false);
            return result with { Kind = ContestantKind.Baseline, Model = $"random weights, {Path.GetFileNameWithoutExtension(tiny)}'s shape", Path = null, Parameters = null, FileSizeBytes = null };
        }
        finally
        {
            File.Delete(random);
        }
    }

    private static ContestantResult RunRepeatLine(EvalCorpus corpus)
    {
        var outcomes = corpus.Samples.Select(sample =>
        {
            var repeated = sample.PreviousLine.Trim();
            var completion = repeated.StartsWith(sample.Typed, StringComparison.Ordinal) ? repeated[sample.Typed.Length..] : string.Empty;
            return new Outcome(sample, completion, 0.0, false, false);
        }).ToList();
        return new ContestantResult(RepeatLine, ContestantKind.Baseline, ContestantStatus.Ok, null, null, null, null, Summarize(outcomes, routed: false), null, 0, null, null);
    }

    private ContestantResult RunUnigram(string folder, EvalCorpus corpus, IReadOnlyList<string> lossFileList, LocalModel? tokenizer)
    {
        var countsPath = DefaultModelLocator.FindShipped("codeassist-unigram.tsv");
        if (countsPath is null || tokenizer is null)
        {
            return ContestantResult.NotRun(Unigram, ContestantKind.Baseline, ContestantStatus.NotFound, "models/codeassist-unigram.tsv or the tiny model (its tokenizer) not found");
        }

        var counts = File.ReadLines(countsPath)
            .Select(line => line.Split('\t'))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => int.Parse(parts[0], CultureInfo.InvariantCulture), parts => long.Parse(parts[1], CultureInfo.InvariantCulture));
        var total = counts.Values.Sum() + counts.Count;
        double LogProb(int id) => Math.Log((counts.GetValueOrDefault(id) + 1.0) / total);

        // Greedy unigram generation: the most frequent token with visible text, repeated.
        var best = counts.OrderByDescending(kv => kv.Value).Select(kv => kv.Key)
            .First(id => System.Text.Encoding.UTF8.GetString(tokenizer.PieceOf((LLamaToken)id)).Trim().Length > 0);
        var piece = System.Text.Encoding.UTF8.GetString(tokenizer.PieceOf((LLamaToken)best));
        var outcomes = corpus.Samples.Select(sample => new Outcome(sample, EvalMetrics.FirstLine(string.Concat(Enumerable.Repeat(piece, 8))), 0.0, false, false)).ToList();

        double sum = 0;
        var n = 0;
        foreach (var file in lossFileList)
        {
            var tokens = LossTokens(tokenizer, folder, file);
            for (var i = 1; i < tokens.Length; i++)
            {
                sum -= LogProb((int)tokens[i]);
                n++;
            }
        }

        return new ContestantResult(Unigram, ContestantKind.Baseline, ContestantStatus.Ok, null, countsPath, null, null, Summarize(outcomes, routed: false), n == 0 ? null : sum / n, n, null, null);
    }

    private LocalModel? LoadTokenizerModel()
    {
        var path = DefaultModelLocator.FindShipped(DefaultModelLocator.DefaultModelFileName);
        return path is null ? null : LocalModel.Load(path, new LocalModelOptions { ContextSize = 512, Threads = threads }, loggerFactory.CreateLogger<LocalModel>());
    }

    private LLamaToken[] LossTokens(LocalModel model, string folder, string file)
    {
        var text = File.ReadAllText(Path.Combine(folder, file)).Replace("\r\n", "\n", StringComparison.Ordinal);
        var tokens = model.Tokenize(text);
        return tokens.Length > lossTokensPerFile ? tokens[..lossTokensPerFile] : tokens;
    }

    // Mean negative log-likelihood per token over the first tokens of each file, in windows of the
    // model's context, each window from an empty cache.
    // With a copy model, the loss is that of the mixture generation uses: each next token predicted by the model and
    // by what followed the same run of tokens earlier in the window.
    private async Task<(double? Loss, int Tokens)> ModelLossAsync(LocalModel model, string folder, IReadOnlyList<string> files, ContextCopyOptions? copy, CancellationToken cancellationToken)
    {
        double sum = 0;
        var n = 0;
        var window = model.Description.ContextLength;
        var followers = new Dictionary<int, double>();
        foreach (var file in files)
        {
            var tokens = LossTokens(model, folder, file);
            for (var start = 0; start + 1 < tokens.Length; start += window)
            {
                var chunk = tokens[start..Math.Min(tokens.Length, start + window)];
                var ids = chunk.Select(t => (int)t).ToArray();
                var logits = await model.EvaluateAsync(chunk, cancellationToken).ConfigureAwait(false);
                for (var i = 0; i + 1 < chunk.Length; i++)
                {
                    var logprob = LogSoftmax.Of(logits[i], ids[i + 1]);
                    if (copy is not null)
                    {
                        var weight = copy.WeightFor(ContextCopy.Find(ids.AsSpan(0, i + 1), i + 1, copy.MaxMatch, followers));
                        logprob = weight <= 0 ? logprob : Math.Log(ContextCopy.Mix(weight, Math.Exp(logprob), followers.GetValueOrDefault(ids[i + 1])));
                    }

                    sum -= logprob;
                    n++;
                }
            }
        }

        return (n == 0 ? null : sum / n, n);
    }

    // Tokens per second of generation alone: the same prompt twice, so the second run decodes only
    // its last prompt token before generating.
    // Generation as the contestant runs it: with the copy model when it is on (its search is part of each token's cost).
    private static async Task<double?> GenerationSpeedAsync(LocalModel model, ContextCopyOptions? copy, CancellationToken cancellationToken)
    {
        var request = new CompletionRequest("import os\nimport sys\n\n\ndef main(argv):\n    for name in argv[1:]:\n", string.Empty, 128, StopWhen: _ => false, ForceLength: true, Copy: copy);
        await model.CompleteAsync(request, cancellationToken).ConfigureAwait(false);
        var second = await model.CompleteAsync(request, cancellationToken).ConfigureAwait(false);
        return second.GeneratedTokens < 2 ? null : second.GeneratedTokens / second.Elapsed.TotalSeconds;
    }
}

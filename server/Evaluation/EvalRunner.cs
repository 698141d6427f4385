using System.Diagnostics;
using System.Globalization;
using CodeAssist.Server.Completion;
using CodeAssist.Server.Configuration;
using CodeAssist.Server.Inference;
using LLama.Native;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CodeAssist.Server.Evaluation;

/// <summary>Results of one contestant on one kind of completion point.</summary>
public sealed record KindResult(EvalKind Kind, int Samples, double ExactMatch, double EditSimilarity, double LatencyP50Ms, double LatencyP95Ms);

/// <summary>Results of one contestant: a model or a baseline.</summary>
public sealed record ContestantResult(
    string Name,
    string? Path,
    long? Parameters,
    long? FileSizeBytes,
    IReadOnlyList<KindResult> Kinds,
    double? LossPerToken,
    int LossTokens,
    double? TokensPerSecond,
    string? Error);

/// <summary>A whole evaluation run.</summary>
public sealed record EvalReport(string Folder, int Seed, int FilesRead, int FilesSkipped, IReadOnlyList<ContestantResult> Contestants);

/// <summary>
/// Runs contestants over sampled completion points through the editor's own pipeline (prompt budget,
/// FIM template, token healing, post-processing; cache off), and measures per-token loss and speed.
/// Baselines: <c>baseline:repeat-line</c> (the previous line again) and <c>baseline:unigram</c>
/// (token frequencies of the training corpus, from <c>models/codeassist-unigram.tsv</c>).
/// </summary>
public sealed class EvalRunner(ILoggerFactory loggerFactory, int threads, int lossFiles, int lossTokensPerFile, Action<string>? progress = null)
{
    /// <summary>The confidence cutoff the models run with (the editor's default unless set).</summary>
    public double? ConfidenceCutoff { get; init; } = Configuration.CodeAssistOptions.Default.ConfidenceCutoff;

    /// <summary>Forces a FIM order on models trained with both (null: each model's own).</summary>
    public Prompting.FimOrder? FimOrder { get; init; }

    /// <summary>The repeat-the-previous-line baseline.</summary>
    public const string RepeatLine = "baseline:repeat-line";

    /// <summary>The unigram baseline.</summary>
    public const string Unigram = "baseline:unigram";

    /// <summary>How many completions per model to print through the progress callback.</summary>
    public int ShowExamples { get; init; }

    /// <summary>Evaluates every contestant on the same samples.</summary>
    public async Task<EvalReport> RunAsync(string folder, EvalCorpus corpus, int seed, IReadOnlyList<string> contestants, CancellationToken cancellationToken)
    {
        var results = new List<ContestantResult>();
        var lossFileList = corpus.Samples.Select(s => s.File).Distinct(StringComparer.Ordinal).Take(lossFiles).ToList();
        LocalModel? tokenizerModel = null;
        try
        {
            foreach (var name in contestants)
            {
                progress?.Invoke($"evaluating {name}");
                if (name == RepeatLine)
                {
                    results.Add(RunRepeatLine(corpus));
                    continue;
                }

                if (name == Unigram)
                {
                    tokenizerModel ??= LoadTokenizerModel();
                    results.Add(await RunUnigramAsync(folder, corpus, lossFileList, tokenizerModel).ConfigureAwait(false));
                    continue;
                }

                results.Add(await RunModelAsync(name, folder, corpus, lossFileList, cancellationToken).ConfigureAwait(false));
            }
        }
        finally
        {
            tokenizerModel?.Dispose();
        }

        return new EvalReport(folder, seed, corpus.FilesRead, corpus.FilesSkipped, results);
    }

    private async Task<ContestantResult> RunModelAsync(string name, string folder, EvalCorpus corpus, IReadOnlyList<string> lossFileList, CancellationToken cancellationToken)
    {
        var path = ResolveModel(name);
        if (path is null)
        {
            return new ContestantResult(name, null, null, null, [], null, 0, null, $"model not found: {name}");
        }

        using var provider = new ServiceCollection()
            .AddSingleton(loggerFactory)
            .AddLogging()
            .AddCodeAssistCore()
            .BuildServiceProvider();
        var settings = provider.GetRequiredService<SettingsStore>();
        settings.Replace(settings.Current with { Model = path, Threads = threads, DebounceMs = 0, Multiline = MultilineMode.Never, MaxTokens = 48, ConfidenceCutoff = ConfidenceCutoff, FimOrder = FimOrder });
        var manager = provider.GetRequiredService<ModelManager>();
        var model = await manager.GetModelAsync(cancellationToken).ConfigureAwait(false);
        if (model is null)
        {
            return new ContestantResult(name, path, null, null, [], null, 0, null, manager.LastError);
        }

        var service = provider.GetRequiredService<CompletionService>();
        var outcomes = new List<(EvalSample Sample, string Completion, double LatencyMs)>();
        var index = 0;
        foreach (var sample in corpus.Samples)
        {
            var stopwatch = Stopwatch.StartNew();
            var result = await service.CompleteTextAsync(
                $"eval-{index}", $"eval://{index}", sample.Prefix.Length, sample.Prefix, sample.Suffix, invoked: true, settings.Current, stopwatch, cancellationToken, useCache: false).ConfigureAwait(false);
            outcomes.Add((sample, result.Text, stopwatch.Elapsed.TotalMilliseconds));
            if (index < ShowExamples)
            {
                progress?.Invoke($"  [{sample.Kind} {sample.File}:{sample.Line + 1}] typed «{sample.Typed}» expected «{sample.Expected}» got «{EvalMetrics.FirstLine(result.Text)}»");
            }

            if (++index % 50 == 0)
            {
                progress?.Invoke($"  {name}: {index}/{corpus.Samples.Count}");
            }
        }

        var (loss, tokens) = await ModelLossAsync(model, folder, lossFileList, cancellationToken).ConfigureAwait(false);
        var speed = await GenerationSpeedAsync(model, cancellationToken).ConfigureAwait(false);
        return new ContestantResult(
            model.Description.Id, path, model.Description.ParameterCount, model.Description.FileSizeBytes, Summarize(outcomes), loss, tokens, speed, null);
    }

    private static ContestantResult RunRepeatLine(EvalCorpus corpus)
    {
        var outcomes = corpus.Samples.Select(sample =>
        {
            var repeated = sample.PreviousLine.Trim();
            var completion = repeated.StartsWith(sample.Typed, StringComparison.Ordinal) ? repeated[sample.Typed.Length..] : string.Empty;
            return (sample, completion, 0.0);
        }).ToList();
        return new ContestantResult(RepeatLine, null, null, null, Summarize(outcomes), null, 0, null, null);
    }

    private async Task<ContestantResult> RunUnigramAsync(string folder, EvalCorpus corpus, IReadOnlyList<string> lossFileList, LocalModel? tokenizer)
    {
        var countsPath = DefaultModelLocator.FindShipped("codeassist-unigram.tsv");
        if (countsPath is null || tokenizer is null)
        {
            return new ContestantResult(Unigram, null, null, null, [], null, 0, null, "models/codeassist-unigram.tsv or the tiny model (its tokenizer) not found");
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
        var outcomes = corpus.Samples.Select(sample => (sample, EvalMetrics.FirstLine(string.Concat(Enumerable.Repeat(piece, 8))), 0.0)).ToList();

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

        await Task.CompletedTask.ConfigureAwait(false);
        return new ContestantResult(Unigram, countsPath, null, null, Summarize(outcomes), n == 0 ? null : sum / n, n, null, null);
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
    private async Task<(double? Loss, int Tokens)> ModelLossAsync(LocalModel model, string folder, IReadOnlyList<string> files, CancellationToken cancellationToken)
    {
        double sum = 0;
        var n = 0;
        var window = model.Description.ContextLength;
        foreach (var file in files)
        {
            var tokens = LossTokens(model, folder, file);
            for (var start = 0; start + 1 < tokens.Length; start += window)
            {
                var chunk = tokens[start..Math.Min(tokens.Length, start + window)];
                var logits = await model.EvaluateAsync(chunk, cancellationToken).ConfigureAwait(false);
                for (var i = 0; i + 1 < chunk.Length; i++)
                {
                    sum -= LogSoftmax(logits[i], (int)chunk[i + 1]);
                    n++;
                }
            }
        }

        return (n == 0 ? null : sum / n, n);
    }

    private static double LogSoftmax(float[] logits, int token)
    {
        var max = logits.Max();
        double total = 0;
        foreach (var value in logits)
        {
            total += Math.Exp(value - max);
        }

        return logits[token] - max - Math.Log(total);
    }

    // Tokens per second of generation alone: the same prompt twice, so the second run decodes only
    // its last prompt token before generating.
    private static async Task<double?> GenerationSpeedAsync(LocalModel model, CancellationToken cancellationToken)
    {
        var request = new CompletionRequest("import os\nimport sys\n\n\ndef main(argv):\n    for name in argv[1:]:\n", string.Empty, 128, StopWhen: _ => false, ForceLength: true);
        await model.CompleteAsync(request, cancellationToken).ConfigureAwait(false);
        var second = await model.CompleteAsync(request, cancellationToken).ConfigureAwait(false);
        return second.GeneratedTokens < 2 ? null : second.GeneratedTokens / second.Elapsed.TotalSeconds;
    }

    private static IReadOnlyList<KindResult> Summarize(IReadOnlyList<(EvalSample Sample, string Completion, double LatencyMs)> outcomes) =>
        outcomes.GroupBy(o => o.Sample.Kind).OrderBy(g => g.Key).Select(group =>
        {
            var items = group.ToList();
            var exact = items.Average(o => EvalMetrics.ExactMatch(o.Sample.Typed + EvalMetrics.FirstLine(o.Completion), o.Sample.Typed + o.Sample.Expected) ? 1.0 : 0.0);
            var similarity = items.Average(o => EvalMetrics.EditSimilarity(o.Sample.Typed + EvalMetrics.FirstLine(o.Completion), o.Sample.Typed + o.Sample.Expected));
            var latencies = items.Select(o => o.LatencyMs).ToList();
            return new KindResult(group.Key, items.Count, exact, similarity, EvalMetrics.Percentile(latencies, 0.5), EvalMetrics.Percentile(latencies, 0.95));
        }).ToList();

    private static string? ResolveModel(string name)
    {
        if (File.Exists(name))
        {
            return Path.GetFullPath(name);
        }

        var folders = ModelCatalog.ModelFolders();
        var catalogPath = DefaultModelLocator.FindShipped(ModelCatalog.FileName);
        if (catalogPath is not null)
        {
            var entry = ModelCatalog.Load(catalogPath).Models.FirstOrDefault(m => m.Id == name);
            if (entry is not null)
            {
                return folders.Select(f => Path.Combine(f, entry.File)).FirstOrDefault(File.Exists);
            }
        }

        return folders.Select(f => Path.Combine(f, name.EndsWith(".gguf", StringComparison.Ordinal) ? name : name + ".gguf")).FirstOrDefault(File.Exists);
    }
}

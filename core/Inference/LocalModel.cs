using System.Diagnostics;
using System.Text;
using CodeAssist.Server.Inference.Gguf;
using CodeAssist.Server.Inference.Local;
using CodeAssist.Server.Prompting;
using LLama;
using LLama.Common;
using LLama.Native;
using Microsoft.Extensions.Logging;

namespace CodeAssist.Server.Inference;

/// <summary>
/// A GGUF model running in-process through LLamaSharp. One context, one worker thread; the KV cache is kept between
/// requests (<see cref="KvCacheSession"/>), tokens come from <see cref="ModelVocabulary"/>, and each token is chosen
/// greedily (<see cref="TokenSampler"/>, with the copy model), healed text first (<see cref="TokenHealing"/>).
/// </summary>
public sealed class LocalModel : ICompletionModel, IModelTokenInventory, IQueuedModel
{
    // Copy sources' tokens kept by text; past this many the cache starts over (a few per file the user works in).
    private const int MaxCachedSources = 64;

    private readonly LLamaWeights _weights;
    private readonly GgufFileInfo _file;
    private readonly InferenceQueue _queue;
    private readonly InferenceStatistics? _statistics;
    private readonly ModelVocabulary _vocabulary;
    private readonly KvCacheSession _session;
    private readonly CandidateDecoder _decoder;
    private readonly Dictionary<string, int[]> _sourceTokens = new(StringComparer.Ordinal);
    private readonly CorpusIndexer _indexer;
    private PromptText? _lastPrompt;
    private bool _disposed;

    private LocalModel(string path, GgufFileInfo file, LLamaWeights weights, LLamaContext context, int logicalSize, LocalModelOptions options, ILogger logger)
    {
        _file = file;
        _weights = weights;
        _statistics = options.Statistics;
        _vocabulary = new ModelVocabulary(path, weights, () => _disposed, logger);
        var template = FimTemplateDetector.Detect(this, options.FimOrder);
        _vocabulary.AddStopTokens(template);
        Description = new ModelDescription(
            Id: file.GetString("general.name") ?? System.IO.Path.GetFileNameWithoutExtension(path),
            Path: System.IO.Path.GetFullPath(path),
            Architecture: file.Architecture,
            Template: template,
            ContextLength: logicalSize,
            ParameterCount: (long)weights.ParameterCount,
            FileSizeBytes: file.FileSize);
        Preflight = ModelPreflight.Assess(file, template, options.SelfTest);
        _session = new KvCacheSession(context, logicalSize, options.Candidates, options.ReuseKvCache, options.Statistics);
        _decoder = new CandidateDecoder(_session, _vocabulary, new TokenSampler(_vocabulary));
        _queue = new InferenceQueue(Description.Id);
        _indexer = new CorpusIndexer(_vocabulary.Tokenize, options.Statistics, logger);
    }

    /// <inheritdoc />
    public ModelDescription Description { get; }

    /// <summary>Tokens currently held in the KV cache (for tests and benchmarks).</summary>
    public int CachedTokenCount => _session.CachedCount;

    /// <summary>Requests waiting or running on the worker.</summary>
    public int PendingRequests => _queue.Pending;

    /// <summary>Whether prompt text is tokenized incrementally (the tokenizer passed the boundary check at load).</summary>
    public bool TokenizesIncrementally => _vocabulary.TokenizesIncrementally;

    /// <summary>Characters of prompt text that went through the tokenizer (null when it is not incremental).</summary>
    public long? PromptCharsTokenized => _vocabulary.PromptCharsTokenized;

    /// <summary>
    /// Loads a GGUF file. The header is validated first, so a truncated or foreign file is a
    /// <see cref="ModelLoadException"/> with a clear message rather than a native fault.
    /// </summary>
    public static LocalModel Load(string path, LocalModelOptions options, ILogger logger)
    {
        var file = GgufReader.Read(path);
        NativeHeap.MapLargeBuffers();
        var threads = options.Threads is > 0 ? options.Threads.Value : LocalModelOptions.DefaultThreads;
        var parameters = CreateParameters(path, file, options.ContextSize, threads);
        var contextSize = (int)parameters.ContextSize!.Value;
        if (options.Candidates > 1)
        {
            // Branches share the prompt's cells in one unified cache; each needs room for its own tokens only.
            parameters.SeqMax = (uint)options.Candidates;
            parameters.KVUnified = true;
            parameters.ContextSize = (uint)(contextSize + ((options.Candidates - 1) * Math.Max(options.MaxTokens, LocalModelOptions.MinBranchCells)));
        }

        var stopwatch = Stopwatch.StartNew();
        LLamaWeights weights;
        try
        {
            weights = LLamaWeights.LoadFromFile(parameters);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new ModelLoadException($"model file could not be loaded by llama.cpp ({file.Architecture}): {path}: {ex.Message}", ex);
        }

        LLamaContext context;
        try
        {
            context = weights.CreateContext(parameters, logger);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            weights.Dispose();
            throw new ModelLoadException($"could not create a context of {contextSize} tokens for {path}: {ex.Message}", ex);
        }

        var model = new LocalModel(path, file, weights, context, contextSize, options, logger);
        logger.LogInformation(
            "Loaded {ModelId} ({Architecture}, {Parameters} parameters, FIM {Family}/{Order}) from {Path} in {ElapsedMs} ms with {Threads} threads",
            model.Description.Id, file.Architecture, model.Description.ParameterCount, model.Description.Template.Family,
            model.Description.Template.Order, path, stopwatch.ElapsedMilliseconds, threads);
        if (model.Preflight.Warn)
        {
            logger.LogWarning("Model check of {ModelId}: {Check}", model.Description.Id, model.Preflight.Summary);
        }
        else
        {
            logger.LogInformation("Model check of {ModelId}: {Check}", model.Description.Id, model.Preflight.Summary);
        }

        return model;
    }

    /// <summary>The llama.cpp parameters a model is loaded with (benchmarks build a bare context from the same ones).</summary>
    public static ModelParams CreateParameters(string path, GgufFileInfo file, int requestedContextSize, int threads)
    {
        // Positions past the length the model was trained at are noise (RoPE does not extrapolate),
        // so the context never exceeds it whatever the settings ask.
        var trained = file.GetInteger($"{file.Architecture}.context_length");
        var contextSize = Math.Max(64, trained is > 0 ? (int)Math.Min(requestedContextSize, trained.Value) : requestedContextSize);
        return new ModelParams(path)
        {
            ContextSize = (uint)contextSize,
            GpuLayerCount = 0,
            LoadMode = LLamaLoadMode.MemoryMap,
            Threads = threads,
            BatchThreads = threads,
            BatchSize = (uint)Math.Min(512, contextSize),
            UBatchSize = (uint)Math.Min(512, contextSize),
        };
    }

    /// <inheritdoc />
    public int CountTokens(string text) => text.Length == 0 ? 0 : _vocabulary.TokenizeText(text).Length;

    /// <inheritdoc />
    public Task<ModelCompletion> CompleteAsync(CompletionRequest request, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var task = _queue.RunAsync(token => Generate(request, token), cancellationToken);
        _statistics?.ObservePending(_queue.Pending);
        return task;
    }

    /// <summary>The text of the last request's prompt; a model that replaces this one is warmed with it (<see cref="WarmAsync"/>).</summary>
    public PromptText? LastPrompt => Volatile.Read(ref _lastPrompt);

    /// <summary>
    /// Decodes the prompt a request for <paramref name="text"/> would build into the KV cache without generating, so that
    /// the first request after a model switch reuses it instead of decoding every prompt token while the user waits.
    /// Returns how many tokens were decoded (0 when the prompt does not fit the context).
    /// </summary>
    public Task<int> WarmAsync(PromptText text, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _queue.RunAsync(token => Warm(text, token), cancellationToken);
    }

    /// <summary>Tokenizes document text with special-token parsing off, so text can never become a control token.</summary>
    public LLamaToken[] Tokenize(string text) => _vocabulary.Tokenize(text);

    /// <summary>The token ids of a prompt: markers as control tokens, text tokenized plainly.</summary>
    public List<LLamaToken> TokenizePrompt(IReadOnlyList<PromptPart> parts) => _vocabulary.TokenizePrompt(parts);

    /// <summary>The bytes a token stands for in document text (empty for control tokens).</summary>
    public ReadOnlySpan<byte> PieceOf(LLamaToken token) => _vocabulary.Piece((int)token);

    /// <summary>Whether generation ends at this token (an end-of-generation or control token, or a stop marker).</summary>
    public bool EndsGeneration(LLamaToken token) => _vocabulary.Ends((int)token);

    /// <summary>Whether this is the model's end-of-text or end-of-turn token.</summary>
    public bool IsEndToken(LLamaToken token) => token == _weights.Vocab.EOS || token == _weights.Vocab.EOT;

    /// <summary>The text of a control or user-defined token; null for ordinary tokens.</summary>
    public string? SpecialTokenText(LLamaToken token) => _vocabulary.SpecialTokenText((int)token);

    /// <summary>What the model check learned about this model (FIM, family, base or chat, the self-test's answer).</summary>
    public ModelPreflight Preflight { get; }

    /// <summary>Evaluates <paramref name="tokens"/> from an empty cache and returns the logits after each (for tests and quality checks).</summary>
    public Task<float[][]> EvaluateAsync(IReadOnlyList<LLamaToken> tokens, CancellationToken cancellationToken) =>
        _queue.RunAsync(token => _session.Evaluate(tokens, token), cancellationToken);

    bool IModelTokenInventory.HasSpecialToken(string text) => _vocabulary.HasSpecialToken(text);

    string? IModelTokenInventory.SpecialTokenFromMetadata(string key) => _file.GetInteger(key) is { } id ? _vocabulary.SpecialTokenText(id) : null;

    string? IModelTokenInventory.MetadataString(string key) => _file.GetString(key);

    private ModelCompletion Generate(CompletionRequest request, CancellationToken cancellationToken)
    {
        _statistics?.RecordStarted();
        try
        {
            return GenerateCore(request, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            _statistics?.RecordCancelled();
            throw;
        }
    }

    /// <summary>
    /// The copy sources in this model's tokens. Sources are stable while the user types (definitions, other files), so
    /// their tokens are kept by text: a request tokenizes only what changed.
    /// </summary>
    private List<CopySourceTokens>? SourceTokens(IReadOnlyList<CopySource>? sources)
    {
        if (sources is not { Count: > 0 })
        {
            return null;
        }

        if (_sourceTokens.Count > MaxCachedSources)
        {
            _sourceTokens.Clear();
        }

        var tokens = new List<CopySourceTokens>(sources.Count);
        foreach (var source in sources)
        {
            if (source.Corpus is { } corpus)
            {
                // The workspace: searched through the index built in the background (none yet: nothing to copy from).
                if (_indexer.For(corpus) is { } index)
                {
                    tokens.Add(new CopySourceTokens(ReadOnlyMemory<int>.Empty, source.MinMatch, source.Name, index, index.IdsOf(corpus.Excluded)));
                }

                continue;
            }

            if (!_sourceTokens.TryGetValue(source.Text, out var ids))
            {
                ids = [.. _vocabulary.Tokenize(source.Text).Select(t => (int)t)];
                _sourceTokens[source.Text] = ids;
            }

            tokens.Add(new CopySourceTokens(ids, source.MinMatch, source.Name));
        }

        return tokens;
    }

    /// <summary>
    /// Builds this model's index of <paramref name="corpus"/> now, unless it is current, and waits for it (evaluation and
    /// the bench; requests never wait, they use the last index finished).
    /// </summary>
    public Task<TokenIndex?> IndexAsync(CorpusView corpus) => _indexer.BuildAsync(corpus);

    private int Warm(PromptText text, CancellationToken cancellationToken)
    {
        using var registration = _session.StartRequest(measureCpu: false, cancellationToken);
        var prompt = _vocabulary.TokenizePrompt(FimPrompt.Build(Description.Template, text.Prefix, text.Suffix).Parts);
        return prompt.Count >= _session.ContextSize ? 0 : prompt.Count - _session.Prepare(prompt, cancellationToken, record: false);
    }

    private ModelCompletion GenerateCore(CompletionRequest request, CancellationToken cancellationToken)
    {
        Volatile.Write(ref _lastPrompt, new PromptText(request.Prefix, request.Suffix));
        var stopwatch = Stopwatch.StartNew();
        var trace = _statistics?.Trace;
        using var registration = _session.StartRequest(measureCpu: trace is not null, cancellationToken);

        // Token healing (see FimPrompt.Build): the prompt leaves out the prefix's tail and the output must start with it.
        var fim = FimPrompt.Build(Description.Template, request.Prefix, request.Suffix, request.Snippets, _vocabulary.HasSpecialToken);
        var required = Encoding.UTF8.GetBytes(fim.Healed);
        var prompt = _vocabulary.TokenizePrompt(fim.Parts);
        var maxTokens = Math.Max(0, Math.Min(request.MaxTokens, _session.ContextSize - prompt.Count - 1));
        if (prompt.Count >= _session.ContextSize)
        {
            throw new InvalidOperationException($"the prompt has {prompt.Count} tokens but the context holds {_session.ContextSize}");
        }

        var reused = _session.Prepare(prompt, cancellationToken);
        var decoded = trace is null ? null : new List<int>();
        var sources = request.Copy is null ? null : SourceTokens(request.CopySources);
        var healedTokens = required.Length == 0 ? null : TokenHealing.TokensAt(required, [.. _vocabulary.Tokenize(fim.Healed).Select(t => (int)t)], _vocabulary.Piece);
        var branches = _decoder.Decode(prompt.Count, required, request, maxTokens, decoded, cancellationToken, sources, healedTokens);
        if (sources is not null)
        {
            for (var i = 0; i < sources.Count; i++)
            {
                _statistics?.RecordCopyHits(sources[i].Name, _decoder.SourceHits[i]);
            }
        }

        _statistics?.RecordGenerated(branches.Sum(b => b.Sequence == 0 ? b.Generated : b.OwnTokens));
        trace?.Invoke(new DecodeTrace([.. prompt.Select(t => (int)t)], reused, [.. decoded!], _session.DecodeTime, _session.DecodeCpu));
        var elapsed = stopwatch.Elapsed;
        var completions = branches.Where(b => !b.Dropped).Select(b => new ModelCompletion(
            Utf8Output.DecodeAfter(b.Output, required.Length),
            Utf8Output.DecodeAfter(b.Output, 0),
            b.Generated,
            b.Generated == 0 ? 0 : b.LogprobSum / b.Generated,
            b.MinLogprob,
            prompt.Count,
            reused,
            b.StopReason,
            elapsed)
        {
            Tokens = [.. b.Tokens.Select(t => t with { End = t.End - required.Length })],
        }).ToList();
        return completions[0] with { Alternatives = completions[1..] };
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        // The index builder first: it stops using the tokenizer before anything is freed.
        _indexer.Dispose();
        _disposed = true;
        _queue.Dispose();
        _session.Dispose();
        _weights.Dispose();
        NativeHeap.Trim();
    }
}

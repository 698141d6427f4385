using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using CodeAssist.Server.Inference.Gguf;
using CodeAssist.Server.Prompting;
using LLama;
using LLama.Common;
using LLama.Native;
using Microsoft.Extensions.Logging;

namespace CodeAssist.Server.Inference;

/// <summary>How to load and run a local GGUF model.</summary>
public sealed record LocalModelOptions
{
    /// <summary>Tokens the context holds (prompt plus generation).</summary>
    public int ContextSize { get; init; } = 2048;

    /// <summary>CPU threads for decoding; null means half the logical processors, at least one.</summary>
    public int? Threads { get; init; }

    /// <summary>Forces a FIM order for families that support both (our own models, StarCoder).</summary>
    public FimOrder? FimOrder { get; init; }

    /// <summary>Keep the KV cache between requests (off only for benchmarks that measure its value).</summary>
    public bool ReuseKvCache { get; init; } = true;

    /// <summary>Where the model counts its work (shared across model swaps); null: not counted.</summary>
    public InferenceStatistics? Statistics { get; init; }

    /// <summary>The thread count used when none is configured.</summary>
    public static int DefaultThreads => Math.Max(1, Environment.ProcessorCount / 2);
}

/// <summary>
/// A GGUF model running in-process through LLamaSharp. One context, one worker thread; the KV cache is
/// kept between requests and only the tokens after the longest common prefix with the previous prompt
/// are decoded. Decodes can be aborted from another thread.
/// </summary>
public sealed class LocalModel : ICompletionModel, IModelTokenInventory
{
    private static readonly LLamaSeqId Sequence = LLamaSeqId.Zero;

    // Python that exercises every kind of boundary the incremental tokenizer cuts at, and the ones it must not.
    private const string TokenizerProbe =
        "import os\n\n\nclass Foo(Bar):\n    \"\"\"Doc string.\"\"\"\n\n    def method(self, x=1):  \n        if x:\n" +
        "            return [1, 2,\n                    3]\n        # a comment\n\treturn None\n  \n    value = 'it''s' + \"é\"\n" +
        "print(Foo().method())\n x = 10\n    42\n";

    private readonly LLamaWeights _weights;
    private readonly LLamaContext _context;
    private readonly GgufFileInfo _file;
    private readonly InferenceQueue _queue;
    private readonly ILogger _logger;
    private readonly bool _reuseKvCache;
    private readonly InferenceStatistics? _statistics;
    private readonly AbortFlag _abort = new();
    private readonly GCHandle _abortHandle;
    private readonly byte[][] _pieces;
    private readonly bool[] _endsGeneration;
    private readonly Dictionary<string, LLamaToken> _specialTokens = new(StringComparer.Ordinal);
    private readonly HashSet<int> _stopTokens = [];
    private readonly List<LLamaToken> _cachedTokens = [];
    private readonly Dictionary<int, double> _copyFollowers = [];
    private readonly LLamaBatch _batch = new();
    private readonly int _vocabSize;
    private readonly bool _addBos;
    private readonly IncrementalTokenizer? _incremental;
    private long _decodeTicks;
    private TimeSpan _decodeCpu;
    private bool _measureDecodeCpu;
    private bool _disposed;

    private LocalModel(string path, GgufFileInfo file, LLamaWeights weights, LLamaContext context, LocalModelOptions options, ILogger logger)
    {
        _file = file;
        _weights = weights;
        _context = context;
        _logger = logger;
        _reuseKvCache = options.ReuseKvCache;
        _statistics = options.Statistics;
        _vocabSize = weights.Vocab.Count;
        _addBos = weights.Vocab.ShouldAddBOS;
        (_pieces, _endsGeneration) = ReadVocabulary();
        if (IncrementalTokenizer.IsExact(TokenizeIds, TokenizerProbe))
        {
            _incremental = new IncrementalTokenizer(TokenizeIds, id => _pieces[id].Length);
        }
        else
        {
            logger.LogInformation("{Path}: the tokenizer does not split at line boundaries the way the prompt cache assumes; prompts are tokenized whole", path);
        }

        var template = FimTemplateDetector.Detect(this, options.FimOrder);
        foreach (var marker in template.StopMarkers)
        {
            if (_specialTokens.TryGetValue(marker, out var id))
            {
                _stopTokens.Add((int)id);
            }
        }

        foreach (var id in new[] { weights.Vocab.EOS, weights.Vocab.EOT })
        {
            if (id is { } token)
            {
                _stopTokens.Add((int)token);
            }
        }

        Description = new ModelDescription(
            Id: file.GetString("general.name") ?? System.IO.Path.GetFileNameWithoutExtension(path),
            Path: System.IO.Path.GetFullPath(path),
            Architecture: file.Architecture,
            Template: template,
            ContextLength: (int)context.ContextSize,
            ParameterCount: (long)weights.ParameterCount,
            FileSizeBytes: file.FileSize);

        _abortHandle = GCHandle.Alloc(_abort);
        unsafe
        {
            NativeApi.llama_set_abort_callback(context.NativeHandle, (IntPtr)(delegate* unmanaged[Cdecl]<IntPtr, byte>)&ShouldAbort, GCHandle.ToIntPtr(_abortHandle));
        }

        _queue = new InferenceQueue(Description.Id);
    }

    /// <inheritdoc />
    public ModelDescription Description { get; }

    /// <summary>Tokens currently held in the KV cache (for tests and benchmarks).</summary>
    public int CachedTokenCount => _cachedTokens.Count;

    /// <summary>Requests waiting or running on the worker.</summary>
    public int PendingRequests => _queue.Pending;

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

        var model = new LocalModel(path, file, weights, context, options, logger);
        logger.LogInformation(
            "Loaded {ModelId} ({Architecture}, {Parameters} parameters, FIM {Family}/{Order}) from {Path} in {ElapsedMs} ms with {Threads} threads",
            model.Description.Id, file.Architecture, model.Description.ParameterCount, model.Description.Template.Family,
            model.Description.Template.Order, path, stopwatch.ElapsedMilliseconds, threads);
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

    /// <summary>Whether prompt text is tokenized incrementally (the tokenizer passed the boundary check at load).</summary>
    public bool TokenizesIncrementally => _incremental is not null;

    /// <summary>Characters of prompt text that went through the tokenizer (null when it is not incremental).</summary>
    public long? PromptCharsTokenized => _incremental?.CharsTokenized;

    /// <inheritdoc />
    public int CountTokens(string text) => text.Length == 0 ? 0 : TokenizeText(text).Length;

    /// <inheritdoc />
    public Task<ModelCompletion> CompleteAsync(CompletionRequest request, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var task = _queue.RunAsync(token => Generate(request, token), cancellationToken);
        _statistics?.ObservePending(_queue.Pending);
        return task;
    }

    /// <summary>Tokenizes document text with special-token parsing off, so text can never become a control token.</summary>
    public LLamaToken[] Tokenize(string text)
    {
        // A request that took this model just before a swap may still count tokens: fail cleanly, never touch freed weights.
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _weights.NativeHandle.Tokenize(text, false, false, Encoding.UTF8);
    }

    // Prompt text: the same tokens as Tokenize, from the incremental cache when the tokenizer allows it.
    private ReadOnlySpan<LLamaToken> TokenizeText(string text) =>
        _incremental is { } incremental ? MemoryMarshal.Cast<int, LLamaToken>(incremental.Tokenize(text)) : Tokenize(text);

    private int[] TokenizeIds(string text) => MemoryMarshal.Cast<LLamaToken, int>(Tokenize(text)).ToArray();

    /// <summary>The token ids of a prompt: markers as control tokens, text tokenized plainly.</summary>
    public List<LLamaToken> TokenizePrompt(IReadOnlyList<PromptPart> parts)
    {
        var tokens = new List<LLamaToken>();
        if (_addBos && _weights.Vocab.BOS is { } bos)
        {
            tokens.Add(bos);
        }

        foreach (var part in parts)
        {
            if (part.IsMarker)
            {
                if (!_specialTokens.TryGetValue(part.Value, out var id))
                {
                    throw new InvalidOperationException($"the model has no control token {part.Value}");
                }

                tokens.Add(id);
            }
            else if (part.Value.Length > 0)
            {
                tokens.AddRange(TokenizeText(part.Value));
            }
        }

        return tokens;
    }

    /// <summary>The bytes a token stands for in document text (empty for control tokens).</summary>
    public ReadOnlySpan<byte> PieceOf(LLamaToken token) => _pieces[(int)token];

    /// <summary>Evaluates <paramref name="tokens"/> from an empty cache and returns the logits after each (for tests and quality checks).</summary>
    public Task<float[][]> EvaluateAsync(IReadOnlyList<LLamaToken> tokens, CancellationToken cancellationToken) =>
        _queue.RunAsync(token =>
        {
            ClearCache();
            var all = new float[tokens.Count][];
            var batchSize = (int)_context.BatchSize;
            for (var start = 0; start < tokens.Count; start += batchSize)
            {
                _batch.Clear();
                var end = Math.Min(tokens.Count, start + batchSize);
                for (var i = start; i < end; i++)
                {
                    _batch.Add(tokens[i], i, Sequence, true);
                }

                DecodeOrThrow(token);
                for (var i = start; i < end; i++)
                {
                    all[i] = _context.NativeHandle.GetLogitsIth(i - start).ToArray();
                    _cachedTokens.Add(tokens[i]);
                }
            }

            return all;
        }, cancellationToken);

    bool IModelTokenInventory.HasSpecialToken(string text) => _specialTokens.ContainsKey(text);

    string? IModelTokenInventory.SpecialTokenFromMetadata(string key)
    {
        var id = _file.GetInteger(key);
        if (id is not { } value || value < 0 || value >= _vocabSize)
        {
            return null;
        }

        return _specialTokens.FirstOrDefault(kv => (int)kv.Value == value).Key;
    }

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

    private ModelCompletion GenerateCore(CompletionRequest request, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        _abort.Requested = false;
        using var registration = cancellationToken.Register(static state => ((AbortFlag)state!).Requested = true, _abort);

        // Token healing (see FimPrompt.Build): the prompt leaves out the prefix's tail and the output must start with it.
        var fim = FimPrompt.Build(Description.Template, request.Prefix, request.Suffix);
        var required = Encoding.UTF8.GetBytes(fim.Healed);
        var prompt = TokenizePrompt(fim.Parts);
        var maxTokens = Math.Max(0, Math.Min(request.MaxTokens, (int)_context.ContextSize - prompt.Count - 1));
        if (prompt.Count >= _context.ContextSize)
        {
            throw new InvalidOperationException($"the prompt has {prompt.Count} tokens but the context holds {_context.ContextSize}");
        }

        var trace = _statistics?.Trace;
        _decodeTicks = 0;
        _decodeCpu = TimeSpan.Zero;
        _measureDecodeCpu = trace is not null;
        var reused = PreparePrompt(prompt, cancellationToken);
        var decoded = trace is null ? null : new List<int>();
        var output = new List<byte>();
        var requiredDone = 0;
        double logprobSum = 0;
        var minLogprob = 0.0;
        var generated = 0;
        var stopReason = "length";
        var healingTokens = 0;
        var logitIndex = _batch.TokenCount - 1;
        while (true)
        {
            var healing = requiredDone < required.Length;
            if (!healing && generated - healingTokens >= maxTokens)
            {
                break;
            }

            cancellationToken.ThrowIfCancellationRequested();
            var logits = _context.NativeHandle.GetLogitsIth(logitIndex);
            var token = healing ? ArgMaxMatching(logits, required.AsSpan(requiredDone)) : ArgMax(logits, request.ForceLength);
            var logprob = token < 0 ? double.NegativeInfinity : LogProbability(logits, token);
            if (request.Copy is { } copy && token >= 0)
            {
                (token, logprob) = MixInCopy(copy, logits, token, logprob, prompt.Count, healing ? required.AsSpan(requiredDone) : default, healing, request.ForceLength);
            }

            if (token < 0 || _endsGeneration[token] || _stopTokens.Contains(token))
            {
                stopReason = token < 0 ? "no-token" : "stop-token";
                break;
            }

            if (!healing && request.MinTokenLogprob is { } floor && logprob < floor && generated > healingTokens)
            {
                // Past this point the model is guessing; a shorter suggestion that is right beats a longer one.
                stopReason = "low-confidence";
                break;
            }

            logprobSum += logprob;
            minLogprob = generated == 0 ? logprob : Math.Min(minLogprob, logprob);
            generated++;
            healingTokens += healing ? 1 : 0;
            var piece = _pieces[token];
            output.AddRange(piece);
            requiredDone = Math.Min(required.Length, requiredDone + piece.Length);

            if (requiredDone >= required.Length && request.StopWhen is { } stop && stop(DecodeAfter(output, required.Length)))
            {
                stopReason = "stop-condition";
                break;
            }

            if (_cachedTokens.Count + 1 >= _context.ContextSize)
            {
                stopReason = "context-full";
                break;
            }

            _batch.Clear();
            _batch.Add(token, _cachedTokens.Count, Sequence, true);
            DecodeOrThrow(cancellationToken);
            _cachedTokens.Add(token);
            decoded?.Add(token);
            logitIndex = 0;
        }

        _statistics?.RecordGenerated(generated);
        trace?.Invoke(new DecodeTrace([.. prompt.Select(t => (int)t)], reused, [.. decoded!], Stopwatch.GetElapsedTime(0, _decodeTicks), _decodeCpu));
        var text = DecodeAfter(output, required.Length);
        return new ModelCompletion(
            text,
            DecodeAfter(output, 0),
            generated,
            generated == 0 ? 0 : logprobSum / generated,
            minLogprob,
            prompt.Count,
            reused,
            stopReason,
            stopwatch.Elapsed);
    }

    private static string DecodeAfter(List<byte> output, int skip)
    {
        if (output.Count <= skip)
        {
            return string.Empty;
        }

        var span = CollectionsMarshal.AsSpan(output)[skip..];
        return Encoding.UTF8.GetString(TrimIncompleteUtf8(span));
    }

    // A token may end in the middle of a multi-byte character; hold those bytes back.
    private static ReadOnlySpan<byte> TrimIncompleteUtf8(ReadOnlySpan<byte> bytes)
    {
        var end = bytes.Length;
        for (var back = 1; back <= Math.Min(3, bytes.Length); back++)
        {
            var b = bytes[^back];
            if ((b & 0xC0) == 0x80)
            {
                continue;
            }

            var need = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            if (need > back)
            {
                end = bytes.Length - back;
            }

            break;
        }

        return bytes[..end];
    }

    /// <summary>Makes the KV cache hold exactly the prompt; returns how many prompt tokens were reused.</summary>
    private int PreparePrompt(List<LLamaToken> prompt, CancellationToken cancellationToken)
    {
        var common = 0;
        if (_reuseKvCache)
        {
            var limit = Math.Min(_cachedTokens.Count, prompt.Count);
            while (common < limit && _cachedTokens[common] == prompt[common])
            {
                common++;
            }
        }

        // The last prompt token is always decoded again: its logits are where generation starts.
        if (common == prompt.Count)
        {
            common--;
        }

        _statistics?.RecordPrompt(prompt.Count, common);

        if (common < _cachedTokens.Count)
        {
            if (common == 0)
            {
                ClearCache();
            }
            else
            {
                _context.NativeHandle.MemorySequenceRemove(Sequence, common, -1);
                _cachedTokens.RemoveRange(common, _cachedTokens.Count - common);
            }
        }

        var batchSize = (int)_context.BatchSize;
        for (var start = common; start < prompt.Count; start += batchSize)
        {
            _batch.Clear();
            var end = Math.Min(prompt.Count, start + batchSize);
            for (var i = start; i < end; i++)
            {
                _batch.Add(prompt[i], i, Sequence, i == prompt.Count - 1);
            }

            DecodeOrThrow(cancellationToken);
            for (var i = start; i < end; i++)
            {
                _cachedTokens.Add(prompt[i]);
            }
        }

        return common;
    }

    private void DecodeOrThrow(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var cpuStarted = _measureDecodeCpu ? ThreadCpuClock.Now() : TimeSpan.Zero;
        var result = _context.NativeHandle.Decode(_batch);
        _decodeTicks += Stopwatch.GetTimestamp() - started;
        if (_measureDecodeCpu)
        {
            _decodeCpu += ThreadCpuClock.Now() - cpuStarted;
        }
        if (result == DecodeResult.Ok)
        {
            return;
        }

        if (result == DecodeResult.ComputeAborted)
        {
            // An aborted batch may have left part of itself in the cache: trust the cache, not our list.
            SyncCacheWithContext();
            cancellationToken.ThrowIfCancellationRequested();
            throw new OperationCanceledException("decode aborted");
        }

        ClearCache();
        throw new InvalidOperationException($"llama.cpp decode failed: {result}");
    }

    private void SyncCacheWithContext()
    {
        var max = (int)_context.NativeHandle.MemorySequenceMaxPosition(Sequence);
        var keep = Math.Clamp(max + 1, 0, _cachedTokens.Count);
        _context.NativeHandle.MemorySequenceRemove(Sequence, keep, -1);
        _cachedTokens.RemoveRange(keep, _cachedTokens.Count - keep);
    }

    private void ClearCache()
    {
        _context.NativeHandle.MemoryClear(true);
        _cachedTokens.Clear();
    }

    private int ArgMax(ReadOnlySpan<float> logits, bool skipEndTokens = false)
    {
        var best = -1;
        var bestValue = float.NegativeInfinity;
        for (var i = 0; i < _vocabSize; i++)
        {
            if (logits[i] > bestValue && !(skipEndTokens && (_endsGeneration[i] || _stopTokens.Contains(i))))
            {
                bestValue = logits[i];
                best = i;
            }
        }

        return best;
    }

    // The best token that agrees with the healed whitespace: its bytes are a prefix of what remains
    // to be produced, or it produces all of it and goes on.
    private int ArgMaxMatching(ReadOnlySpan<float> logits, ReadOnlySpan<byte> remaining)
    {
        var best = -1;
        var bestValue = float.NegativeInfinity;
        for (var i = 0; i < _vocabSize; i++)
        {
            var piece = _pieces[i];
            if (piece.Length == 0 || logits[i] <= bestValue)
            {
                continue;
            }

            if (AgreesWithHealed(piece, remaining))
            {
                bestValue = logits[i];
                best = i;
            }
        }

        return best;
    }

    // Its bytes are a prefix of what remains of the healed text, or it produces all of that and goes on (without
    // indenting deeper).
    private static bool AgreesWithHealed(byte[] piece, ReadOnlySpan<byte> remaining)
    {
        var n = Math.Min(piece.Length, remaining.Length);
        return piece.AsSpan(0, n).SequenceEqual(remaining[..n]) && !AddsWhitespace(piece, remaining);
    }

    // A token that covers the healed indentation and goes on with more whitespace would indent deeper
    // than where the user put the cursor.
    private static bool AddsWhitespace(byte[] piece, ReadOnlySpan<byte> remaining) =>
        piece.Length > remaining.Length && remaining.Length > 0 && IsSpace(remaining[^1]) && IsSpace(piece[remaining.Length]);

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r';

    // The mixture (1 - λ)·p_model + λ·p_copy decides: a token the prompt continues with after the same run of
    // tokens can win over the model's choice. Returns the chosen token and its log-probability under the mixture.
    private (int Token, double Logprob) MixInCopy(
        ContextCopyOptions copy, ReadOnlySpan<float> logits, int modelToken, double modelLogprob, int promptCount, ReadOnlySpan<byte> remaining, bool healing, bool forceLength)
    {
        var history = MemoryMarshal.Cast<LLamaToken, int>(CollectionsMarshal.AsSpan(_cachedTokens));
        var length = ContextCopy.Find(history, promptCount, copy.MaxMatch, _copyFollowers);
        var weight = copy.WeightFor(length);
        if (weight <= 0)
        {
            return (modelToken, modelLogprob);
        }

        var logNormalizer = logits[modelToken] - modelLogprob;
        var best = modelToken;
        var bestScore = ContextCopy.Mix(weight, Math.Exp(modelLogprob), _copyFollowers.GetValueOrDefault(modelToken));
        foreach (var (candidate, share) in _copyFollowers)
        {
            if (candidate == modelToken || candidate < 0 || candidate >= _vocabSize || _pieces[candidate].Length == 0)
            {
                continue;
            }

            // The same tokens the model itself may choose from here: ones that agree with the healed text, and
            // no end of generation when the length is forced.
            var agrees = healing
                ? AgreesWithHealed(_pieces[candidate], remaining)
                : !(forceLength && (_endsGeneration[candidate] || _stopTokens.Contains(candidate)));
            var score = ContextCopy.Mix(weight, Math.Exp(logits[candidate] - logNormalizer), share);
            if (agrees && score > bestScore)
            {
                best = candidate;
                bestScore = score;
            }
        }

        return (best, Math.Log(bestScore));
    }

    private double LogProbability(ReadOnlySpan<float> logits, int token)
    {
        var max = float.NegativeInfinity;
        for (var i = 0; i < _vocabSize; i++)
        {
            max = Math.Max(max, logits[i]);
        }

        double sum = 0;
        for (var i = 0; i < _vocabSize; i++)
        {
            sum += Math.Exp(logits[i] - max);
        }

        return logits[token] - max - Math.Log(sum);
    }

    private (byte[][] Pieces, bool[] EndsGeneration) ReadVocabulary()
    {
        var pieces = new byte[_vocabSize][];
        var ends = new bool[_vocabSize];
        var buffer = new byte[256];
        var vocab = _weights.Vocab;
        for (var i = 0; i < _vocabSize; i++)
        {
            var token = (LLamaToken)i;
            var attributes = token.GetAttributes(vocab);
            var special = (attributes & (LLamaTokenAttr.Control | LLamaTokenAttr.UserDefined)) != 0;
            if (special)
            {
                var n = (int)_weights.NativeHandle.TokenToSpan(token, buffer, 0, true);
                var text = Encoding.UTF8.GetString(buffer, 0, Math.Min(n, buffer.Length));
                if (text.Length > 0)
                {
                    _specialTokens.TryAdd(text, token);
                }
            }

            var count = (int)_weights.NativeHandle.TokenToSpan(token, buffer, 0, false);
            pieces[i] = (attributes & LLamaTokenAttr.Control) != 0 ? [] : buffer.AsSpan(0, Math.Min(count, buffer.Length)).ToArray();
            ends[i] = token.IsEndOfGeneration(vocab) || (attributes & LLamaTokenAttr.Control) != 0;
        }

        return (pieces, ends);
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static byte ShouldAbort(IntPtr state) =>
        GCHandle.FromIntPtr(state).Target is AbortFlag { Requested: true } ? (byte)1 : (byte)0;

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _queue.Dispose();
        _context.Dispose();
        _weights.Dispose();
        _abortHandle.Free();
        NativeHeap.Trim();
    }

    private sealed class AbortFlag
    {
        private volatile bool _requested;

        public bool Requested
        {
            get => _requested;
            set => _requested = value;
        }
    }
}

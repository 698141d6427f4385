using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CodeAssist.Server.Logging;
using LLama;
using LLama.Native;

namespace CodeAssist.Server.Inference.Local;

/// <summary>
/// The model's one llama.cpp context and what its KV cache holds. A prompt decodes only the tokens after its longest
/// common prefix with what is cached; a decode can be aborted from another thread between its ubatches. Sequence 0 is the
/// prompt and the first candidate; other candidates branch off it (<see cref="Fork"/>) into sequences of their own that
/// share the prompt's cells (a unified KV cache), decode one token each per step (<see cref="Step"/>) and are dropped
/// when the request ends (<see cref="DropBranches"/>).
/// </summary>
internal sealed class KvCacheSession : IDisposable
{
    private static readonly LLamaSeqId Sequence = LLamaSeqId.Zero;

    private readonly LLamaContext _context;
    private readonly int _logicalSize;
    private readonly bool _reuse;
    private readonly InferenceStatistics? _statistics;
    private readonly List<LLamaToken> _cachedTokens = [];
    private readonly LLamaBatch _batch = new();
    private readonly AbortFlag _abort = new();
    private readonly GCHandle _abortHandle;
    private readonly Func<bool> _abortRequested;
    private long _decodeTicks;
    private TimeSpan _decodeCpu;
    private bool _measureDecodeCpu;

    /// <summary>
    /// Takes over <paramref name="context"/>; <paramref name="reuse"/> false decodes every prompt whole (benchmarks).
    /// <paramref name="logicalSize"/> is the most positions one sequence may use; the context's cells beyond it hold branches.
    /// </summary>
    public KvCacheSession(LLamaContext context, int logicalSize, int sequences, bool reuse, InferenceStatistics? statistics)
    {
        Sequences = Math.Max(1, sequences);
        _context = context;
        _logicalSize = Math.Min(logicalSize, (int)context.ContextSize);
        _reuse = reuse;
        _statistics = statistics;
        _abortHandle = GCHandle.Alloc(_abort);
        _abortRequested = () => _abort.Requested;
        unsafe
        {
            NativeApi.llama_set_abort_callback(context.NativeHandle, (IntPtr)(delegate* unmanaged[Cdecl]<IntPtr, byte>)&ShouldAbort, GCHandle.ToIntPtr(_abortHandle));
        }
    }

    /// <summary>Sequences the context was made for: the most candidates one request can branch into.</summary>
    public int Sequences { get; }

    /// <summary>Positions one sequence may use: the prompt and one candidate.</summary>
    public int ContextSize => _logicalSize;

    /// <summary>KV cells in all: the prompt, the first candidate and the tokens of every branch.</summary>
    public int TotalCells => (int)_context.ContextSize;

    /// <summary>Tokens currently held in the KV cache.</summary>
    public int CachedCount => _cachedTokens.Count;

    /// <summary>The token ids in the cache, oldest first (the copy model searches them).</summary>
    public ReadOnlySpan<int> History => MemoryMarshal.Cast<LLamaToken, int>(CollectionsMarshal.AsSpan(_cachedTokens));

    /// <summary>Wall-clock time spent decoding since <see cref="StartRequest"/>.</summary>
    public TimeSpan DecodeTime => Stopwatch.GetElapsedTime(0, _decodeTicks);

    /// <summary>Thread CPU time spent decoding since <see cref="StartRequest"/> (measured only when asked for).</summary>
    public TimeSpan DecodeCpu => _decodeCpu;

    /// <summary>Where the logits of the last decoded token are, for <see cref="Logits"/>.</summary>
    public int LastLogitIndex { get; private set; }

    /// <summary>
    /// Starts a request: clears the abort flag and the decode timers, and makes <paramref name="cancellationToken"/>
    /// abort a running decode. Dispose the result when the request is done.
    /// </summary>
    public CancellationTokenRegistration StartRequest(bool measureCpu, CancellationToken cancellationToken)
    {
        _abort.Requested = false;
        _decodeTicks = 0;
        _decodeCpu = TimeSpan.Zero;
        _measureDecodeCpu = measureCpu;
        return cancellationToken.Register(static state => ((AbortFlag)state!).Requested = true, _abort);
    }

    /// <summary>The logits after the token at <paramref name="index"/> of the last batch.</summary>
    public Span<float> Logits(int index) => _context.NativeHandle.GetLogitsIth(index);

    /// <summary>
    /// Makes the KV cache hold exactly the prompt; returns how many prompt tokens were reused. A warm-up passes
    /// <paramref name="record"/> false: it is not a request, and the statistics count requests' prompts.
    /// </summary>
    public int Prepare(List<LLamaToken> prompt, CancellationToken cancellationToken, bool record = true)
    {
        var common = 0;
        if (_reuse)
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

        if (record)
        {
            _statistics?.RecordPrompt(prompt.Count, common);
        }

        if (common < _cachedTokens.Count)
        {
            if (common == 0)
            {
                Clear();
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

        LastLogitIndex = _batch.TokenCount - 1;
        return common;
    }

    /// <summary>Decodes one generated token after the cached ones.</summary>
    public void Append(int token, CancellationToken cancellationToken)
    {
        _batch.Clear();
        _batch.Add((LLamaToken)token, _cachedTokens.Count, Sequence, true);
        DecodeOrThrow(cancellationToken);
        _cachedTokens.Add((LLamaToken)token);
        LastLogitIndex = 0;
    }

    /// <summary>
    /// Makes sequence <paramref name="to"/> share the cells of sequence <paramref name="from"/> at positions before
    /// <paramref name="before"/> (no copy: unified cells gain a sequence id).
    /// </summary>
    public void Fork(int from, int to, int before)
    {
        _context.NativeHandle.MemorySequenceRemove((LLamaSeqId)to, -1, -1);
        _context.NativeHandle.MemorySequenceCopy((LLamaSeqId)from, (LLamaSeqId)to, 0, before);
    }

    /// <summary>
    /// Decodes one token for each of several sequences in one batch; <paramref name="logitIndices"/> receives where each
    /// token's logits are. Tokens of sequence 0 join <see cref="History"/>.
    /// </summary>
    public void Step(ReadOnlySpan<BranchToken> tokens, Span<int> logitIndices, CancellationToken cancellationToken)
    {
        _batch.Clear();
        for (var i = 0; i < tokens.Length; i++)
        {
            logitIndices[i] = _batch.Add((LLamaToken)tokens[i].Token, tokens[i].Position, (LLamaSeqId)tokens[i].Sequence, true);
        }

        DecodeOrThrow(cancellationToken);
        foreach (var token in tokens)
        {
            if (token.Sequence == 0)
            {
                _cachedTokens.Add((LLamaToken)token.Token);
            }
        }
    }

    /// <summary>Frees the cells of sequences 1 to <paramref name="count"/> − 1 (the branches of the request that ends).</summary>
    public void DropBranches(int count)
    {
        for (var sequence = 1; sequence < count; sequence++)
        {
            _context.NativeHandle.MemorySequenceRemove((LLamaSeqId)sequence, -1, -1);
        }
    }

    /// <summary>Evaluates <paramref name="tokens"/> from an empty cache and returns the logits after each.</summary>
    public float[][] Evaluate(IReadOnlyList<LLamaToken> tokens, CancellationToken cancellationToken)
    {
        Clear();
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

            DecodeOrThrow(cancellationToken);
            for (var i = start; i < end; i++)
            {
                all[i] = _context.NativeHandle.GetLogitsIth(i - start).ToArray();
                _cachedTokens.Add(tokens[i]);
            }
        }

        return all;
    }

    private void DecodeOrThrow(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var cpuStarted = _measureDecodeCpu ? ThreadCpuClock.Now() : TimeSpan.Zero;
        DecodeResult result;
        using (ExpectedNativeErrors.WhileDecoding(_abortRequested))
        {
            result = _context.NativeHandle.Decode(_batch);
        }

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
            SyncWithContext();
            cancellationToken.ThrowIfCancellationRequested();
            throw new OperationCanceledException("decode aborted");
        }

        Clear();
        throw new InvalidOperationException($"llama.cpp decode failed: {result}");
    }

    private void SyncWithContext()
    {
        var max = (int)_context.NativeHandle.MemorySequenceMaxPosition(Sequence);
        var keep = Math.Clamp(max + 1, 0, _cachedTokens.Count);
        _context.NativeHandle.MemorySequenceRemove(Sequence, keep, -1);
        _cachedTokens.RemoveRange(keep, _cachedTokens.Count - keep);
    }

    private void Clear()
    {
        _context.NativeHandle.MemoryClear(true);
        _cachedTokens.Clear();
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static byte ShouldAbort(IntPtr state) =>
        GCHandle.FromIntPtr(state).Target is AbortFlag { Requested: true } ? (byte)1 : (byte)0;

    /// <summary>Disposes the context and frees the abort callback's handle.</summary>
    public void Dispose()
    {
        _context.Dispose();
        _abortHandle.Free();
    }

    /// <summary>One token of a <see cref="Step"/>: the token, its position in its sequence, and the sequence.</summary>
    public readonly record struct BranchToken(int Token, int Position, int Sequence);

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

using System.Diagnostics;
using CodeAssist.Server.Inference;
using CodeAssist.Server.Inference.Gguf;
using LLama;
using LLama.Native;

namespace CodeAssist.Tools.Benchmarks;

/// <summary>
/// The floor under a keystroke's latency: llama.cpp decoding exactly the tokens the server decoded for it, on a
/// bare context with the same parameters, and nothing else (no tokenizing, sampling, protocol or document work).
/// The KV cache is handled as the server does: kept up to the longest common prefix, or cleared when reuse is off.
/// </summary>
internal sealed class DecodeFloor : IDisposable
{
    private readonly LLamaWeights _weights;
    private readonly LLamaContext _context;
    private readonly LLamaBatch _batch = new();
    private readonly List<int> _cached = [];
    private readonly bool _reuse;

    public DecodeFloor(string modelPath, int contextSize, int threads, bool reuseKvCache)
    {
        var parameters = LocalModel.CreateParameters(modelPath, GgufReader.Read(modelPath), contextSize, threads);
        _weights = LLamaWeights.LoadFromFile(parameters);
        _context = _weights.CreateContext(parameters);
        _reuse = reuseKvCache;
    }

    /// <summary>Decodes what one generation decoded and returns how long llama.cpp took.</summary>
    public TimeSpan Replay(DecodeTrace trace)
    {
        var started = Stopwatch.GetTimestamp();
        var prompt = trace.Prompt;
        var common = 0;
        if (_reuse)
        {
            var limit = Math.Min(_cached.Count, prompt.Length);
            while (common < limit && _cached[common] == prompt[common])
            {
                common++;
            }
        }

        if (common == prompt.Length)
        {
            common--;
        }

        if (common < _cached.Count)
        {
            if (common == 0)
            {
                _context.NativeHandle.MemoryClear(true);
            }
            else
            {
                _context.NativeHandle.MemorySequenceRemove(LLamaSeqId.Zero, common, -1);
            }

            _cached.RemoveRange(common, _cached.Count - common);
        }

        var batchSize = (int)_context.BatchSize;
        for (var start = common; start < prompt.Length; start += batchSize)
        {
            _batch.Clear();
            var end = Math.Min(prompt.Length, start + batchSize);
            for (var i = start; i < end; i++)
            {
                _batch.Add((LLamaToken)prompt[i], i, LLamaSeqId.Zero, i == prompt.Length - 1);
            }

            Decode();
            for (var i = start; i < end; i++)
            {
                _cached.Add(prompt[i]);
            }
        }

        foreach (var token in trace.Decoded)
        {
            _batch.Clear();
            _batch.Add((LLamaToken)token, _cached.Count, LLamaSeqId.Zero, true);
            Decode();
            _cached.Add(token);
        }

        return Stopwatch.GetElapsedTime(started);
    }

    private void Decode()
    {
        var result = _context.NativeHandle.Decode(_batch);
        if (result != DecodeResult.Ok)
        {
            throw new InvalidOperationException($"llama.cpp decode failed while replaying: {result}");
        }
    }

    public void Dispose()
    {
        _context.Dispose();
        _weights.Dispose();
    }
}

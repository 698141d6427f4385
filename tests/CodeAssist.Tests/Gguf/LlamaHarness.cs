using System.Text;
using LLama;
using LLama.Common;
using LLama.Native;

namespace CodeAssist.Tests.Gguf;

/// <summary>The few LLamaSharp calls tests need to load a model and run it greedily on the CPU.</summary>
public static class LlamaHarness
{
    /// <summary>CPU only, memory-mapped (LLamaSharp 0.30's default <see cref="LLamaLoadMode"/> is None, i.e. read into
    /// memory), one thread: a model this small gains nothing from more, and on a busy two-core machine two threads made
    /// each token ~200 ms instead of under 1 ms (ggml's threads wait on each other at every graph node).</summary>
    /// <remarks>The same object serves as context parameters; the path only matters for loading.</remarks>
    public static ModelParams Parameters(string path) => new(path)
    {
        ContextSize = 512,
        GpuLayerCount = 0,
        LoadMode = LLamaLoadMode.MemoryMap,
        Threads = 1,
        BatchThreads = 1,
    };

    public static LLamaWeights Load(string path)
    {
        LlamaLogCapture.Install();
        return LLamaWeights.LoadFromFile(Parameters(path));
    }

    /// <summary>Decodes <paramref name="tokens"/> at positions starting from <paramref name="start"/> in sequence 0
    /// and returns a copy of the logits after the last one.</summary>
    public static float[] Decode(LLamaContext context, LLamaToken[] tokens, int start)
    {
        var batch = new LLamaBatch();
        batch.AddRange(tokens, start, LLamaSeqId.Zero, logitsLast: true);
        var result = context.Decode(batch);
        if (result != DecodeResult.Ok)
        {
            throw new InvalidOperationException($"llama_decode returned {result}");
        }

        return context.NativeHandle.GetLogitsIth(batch.TokenCount - 1).ToArray();
    }

    /// <summary>Generates <paramref name="count"/> tokens by always taking the most likely next token.</summary>
    public static IReadOnlyList<int> GreedyGenerate(LLamaWeights weights, string prompt, int count)
    {
        using var context = weights.CreateContext(Parameters(""));
        var tokens = weights.Tokenize(prompt, add_bos: false, special: false, Encoding.UTF8);
        var logits = Decode(context, tokens, 0);
        var position = tokens.Length;
        var generated = new List<int>(count);
        for (var i = 0; i < count; i++)
        {
            var next = ArgMax(logits);
            generated.Add(next);
            logits = Decode(context, [next], position++);
        }

        return generated;
    }

    public static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }
}

using System.Globalization;
using System.Text.Json;
using CodeAssist.Server.Inference;
using CodeAssist.Server.Inference.Gguf;
using CodeAssist.Server.Prompting;
using CodeAssist.Tests.Testing;
using LLama;
using LLama.Common;
using LLama.Native;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace CodeAssist.Tests.Models;

/// <summary>The recipe's smoke run exports a GGUF that llama.cpp runs exactly as PyTorch does, metadata intact.</summary>
[Trait(TestCategory.Name, TestCategory.Process)]
public class RecipeSmokeTests(RecipeSmokeRun run, ITestOutputHelper output) : IClassFixture<RecipeSmokeRun>
{
    // The export is F16 and llama.cpp keeps K/V in F16; PyTorch runs the same F16-rounded weights in F32.
    private const double MaxLogitDifference = 0.05;
    private const int SmokeContext = 128;

    [Fact]
    public void TheSmokeRunExportsAGgufThatLocalModelLoadsWithOurFimTemplate()
    {
        output.WriteLine($"smoke run took {run.Duration.TotalSeconds:F1} s");
        using var model = LocalModel.Load(run.ModelPath, new LocalModelOptions { ContextSize = SmokeContext, Threads = 1 }, NullLogger.Instance);
        Assert.Equal(FimFamily.CodeAssist, model.Description.Template.Family);
        Assert.Equal("llama", model.Description.Architecture);
        Assert.True(model.Description.ParameterCount > 0);
    }

    [Fact]
    public async Task LlamaCppLogitsEqualPyTorchOnASequenceWithFimControlTokens()
    {
        using var model = LocalModel.Load(run.ModelPath, new LocalModelOptions { ContextSize = SmokeContext, Threads = 1 }, NullLogger.Instance);
        var ids = FimSequence(model, GgufReader.Read(run.ModelPath));
        Assert.InRange(ids.Count, 32, SmokeContext);

        using var reference = await PythonTools.RunToolAsync(
            ["logits", run.ModelPath, "--ids", string.Join(',', ids)], TimeSpan.FromMinutes(3));
        var expected = reference.RootElement.GetProperty("logits").EnumerateArray()
            .Select(row => row.EnumerateArray().Select(v => v.GetSingle()).ToArray())
            .ToArray();
        var actual = await model.EvaluateAsync(ids.Select(id => (LLamaToken)id).ToList(), CancellationToken.None);

        Assert.Equal(ids.Count, expected.Length);
        var maxDifference = 0.0;
        var top1Mismatches = new List<int>();
        for (var position = 0; position < ids.Count; position++)
        {
            Assert.Equal(expected[position].Length, actual[position].Length);
            for (var v = 0; v < expected[position].Length; v++)
            {
                maxDifference = Math.Max(maxDifference, Math.Abs(expected[position][v] - actual[position][v]));
            }

            if (ArgMax(expected[position]) != ArgMax(actual[position]))
            {
                top1Mismatches.Add(position);
            }
        }

        output.WriteLine($"{ids.Count} positions: max |logit difference| {maxDifference:G3}, top-1 mismatches {top1Mismatches.Count}");
        Assert.True(top1Mismatches.Count == 0, $"top-1 differs at positions {string.Join(", ", top1Mismatches)}");
        Assert.True(maxDifference < MaxLogitDifference, $"max |logit difference| {maxDifference:G3}");
    }

    [Fact]
    public async Task EveryMetadataKeyTheRecipeWritesReadsBackIntactThroughLLamaSharp()
    {
        using var reference = await PythonTools.RunToolAsync(["metadata", run.ModelPath], TimeSpan.FromMinutes(2));
        using var weights = LLamaWeights.LoadFromFile(new ModelParams(run.ModelPath)
        {
            ContextSize = SmokeContext,
            GpuLayerCount = 0,
            LoadMode = LLamaLoadMode.MemoryMap,
        });
        var header = GgufReader.Read(run.ModelPath);

        var scalars = reference.RootElement.GetProperty("scalars").EnumerateObject().ToList();
        Assert.NotEmpty(scalars);
        foreach (var key in scalars)
        {
            Assert.True(weights.Metadata.TryGetValue(key.Name, out var text), $"{key.Name} is missing from LLamaSharp's metadata");
            var type = key.Value.GetProperty("type").GetString();
            var value = key.Value.GetProperty("value");
            switch (type)
            {
                case "string":
                    Assert.Equal(value.GetString(), text);
                    break;
                case "bool":
                    Assert.Equal(value.GetBoolean() ? "true" : "false", text);
                    break;
                case "float32" or "float64":
                    var written = value.GetDouble();
                    var read = double.Parse(text, CultureInfo.InvariantCulture);
                    Assert.True(SameToFiveSignificantDigits(written, read), $"{key.Name}: wrote {written:R}, LLamaSharp read {text}");
                    break;
                default:
                    Assert.Equal(value.GetDecimal(), decimal.Parse(text, CultureInfo.InvariantCulture));
                    break;
            }
        }

        Assert.Equal(scalars.Count, weights.Metadata.Count);
        var arrays = reference.RootElement.GetProperty("arrays").EnumerateObject().ToList();
        Assert.Contains(arrays, a => a.Name == "tokenizer.ggml.tokens");
        foreach (var array in arrays)
        {
            Assert.True(header.ArrayLengths.TryGetValue(array.Name, out var length), $"{array.Name} is missing from the GGUF reader's arrays");
            Assert.Equal(array.Value.GetProperty("length").GetInt32(), length);
        }

        Assert.Equal(arrays.Count, header.ArrayLengths.Count);
    }

    [Fact]
    public async Task AModelGrownDeeperForTheSmallTierComputesTheSameLogitsInLlamaCpp()
    {
        // train.py --config small starts from the shipped tiny model grown to more layers; the growth must not
        // change what the model computes, or small would start worse than tiny instead of where tiny ended.
        var grown = Path.Combine(run.WorkDirectory, "grown.gguf");
        await PythonTools.RunAsync([RepositoryPaths.Tools, "grow", run.ModelPath, "--layers", "4", "--out", grown], TimeSpan.FromMinutes(3));
        var source = GgufReader.Read(run.ModelPath);
        var deeper = GgufReader.Read(grown);
        Assert.Equal(2 * source.GetInteger("llama.block_count"), deeper.GetInteger("llama.block_count"));

        using var original = LocalModel.Load(run.ModelPath, new LocalModelOptions { ContextSize = SmokeContext, Threads = 1 }, NullLogger.Instance);
        using var copy = LocalModel.Load(grown, new LocalModelOptions { ContextSize = SmokeContext, Threads = 1 }, NullLogger.Instance);
        Assert.True(copy.Description.ParameterCount > original.Description.ParameterCount);
        var ids = FimSequence(original, source).Select(id => (LLamaToken)id).ToList();
        var expected = await original.EvaluateAsync(ids, CancellationToken.None);
        var actual = await copy.EvaluateAsync(ids, CancellationToken.None);

        var maxDifference = 0.0;
        for (var position = 0; position < ids.Count; position++)
        {
            Assert.Equal(ArgMax(expected[position]), ArgMax(actual[position]));
            for (var v = 0; v < expected[position].Length; v++)
            {
                maxDifference = Math.Max(maxDifference, Math.Abs(expected[position][v] - actual[position][v]));
            }
        }

        output.WriteLine($"{ids.Count} positions: max |logit difference| grown vs source {maxDifference:G3}");
        Assert.True(maxDifference < 1e-3, $"max |logit difference| {maxDifference:G3}");
    }

    // llama.cpp prints floats with "%f" (six decimals), so tiny values such as 1e-5 keep only their leading digits.
    private static bool SameToFiveSignificantDigits(double written, double read) =>
        Math.Abs(written - read) <= Math.Max(Math.Abs(written) * 5e-5, 5e-7);

    /// <summary>An SPM FIM sample as the recipe trains on it, then plain text after the end-of-text token.</summary>
    private static List<int> FimSequence(LocalModel model, GgufFileInfo header)
    {
        int Id(string key) => (int)(header.GetInteger(key) ?? throw new InvalidOperationException($"{key} is missing"));
        IEnumerable<int> Text(string text) => model.Tokenize(text).Select(t => (int)t);

        return
        [
            Id("tokenizer.ggml.fim_pre_token_id"),
            Id("tokenizer.ggml.fim_suf_token_id"),
            .. Text("\n    return total\n"),
            Id("tokenizer.ggml.fim_mid_token_id"),
            .. Text("def sum_all(values):\n    total = 0\n"),
            .. Text("    for value in values:\n        total += value"),
            Id("tokenizer.ggml.eot_token_id"),
            .. Text("import os\n\n\nclass Config:\n    def __init__(self, path):\n        self.path = os.path.abspath(path)\n"),
        ];
    }

    private static int ArgMax(float[] values)
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

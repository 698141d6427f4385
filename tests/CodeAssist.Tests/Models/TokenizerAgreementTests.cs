using CodeAssist.Server.Inference;
using CodeAssist.Tests.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace CodeAssist.Tests.Models;

/// <summary>llama.cpp and the recipe's Python tokenizer give the same ids on held-out third-party Python.</summary>
[Trait(TestCategory.Name, TestCategory.Process)]
public class TokenizerAgreementTests(ITestOutputHelper output)
{
    /// <summary>Every shipped model; they may share a tokenizer, but each file carries its own copy.</summary>
    public static TheoryData<string> ShippedModels() => [.. RepositoryPaths.ShippedModelNames()];

    [Theory]
    [MemberData(nameof(ShippedModels))]
    public async Task LlamaCppTokenizesHeldOutThirdPartyPythonExactlyAsTheRecipeTokenizer(string fileName)
    {
        var path = RepositoryPaths.ShippedModel(fileName);
        var files = HeldOutPython.Files;
        using var reference = await PythonTools.RunToolAsync(["tokenize", path, .. files], TimeSpan.FromMinutes(5));
        using var model = LocalModel.Load(path, new LocalModelOptions { ContextSize = 512, Threads = 1 }, NullLogger.Instance);

        var disagreements = new List<string>();
        var tokens = 0;
        foreach (var file in files)
        {
            var expected = reference.RootElement.GetProperty(file).EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var actual = model.Tokenize(HeldOutPython.Read(file)).Select(t => (int)t).ToArray();
            tokens += actual.Length;
            if (!expected.AsSpan().SequenceEqual(actual))
            {
                var at = expected.Zip(actual).TakeWhile(pair => pair.First == pair.Second).Count();
                disagreements.Add($"{file}: {expected.Length} vs {actual.Length} tokens, first difference at token {at}");
            }
        }

        output.WriteLine($"{fileName}: {files.Count - disagreements.Count} of {files.Count} files agree, {tokens} tokens");
        Assert.True(disagreements.Count == 0, $"{disagreements.Count} of {files.Count} files differ:\n{string.Join('\n', disagreements)}");
        Assert.True(tokens > 100_000, $"the sample should be large, but has {tokens} tokens");
    }
}

using CodeAssist.Server.Completion;
using CodeAssist.Tests.Models;
using CodeAssist.Tests.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CodeAssist.Tests.Lsp;

/// <summary>Automatic requests in comments and docstrings show nothing and ask no model; explicit ones still do.</summary>
[Trait(TestCategory.Name, TestCategory.Protocol)]
public sealed class SilenceProtocolTests
{
    private static Dictionary<string, object?> Settings() => new()
    {
        ["model"] = RepositoryPaths.TinyModel,
        ["threads"] = 1,
        ["contextSize"] = 512,
        ["maxTokens"] = 16,
        ["debounceMs"] = 0,
    };

    // InlineCompletionTriggerKind in LSP 3.18.
    private const int Invoked = 1;
    private const int Automatic = 2;

    private const string Source =
        "import os\n\n\ndef load(path):\n    \"\"\"Read the file at path and\n    \"\"\"\n    # open the file and \n    name = \"settings\n    return path\n";

    [Fact]
    public async Task CommentsAndDocstringsAreSilentUnlessAskedAndOneLineStringsAreNot()
    {
        await using var client = LspTestClient.Start();
        await client.InitializeAsync(Settings());
        var uri = LspTestClient.FileUri("silence.py");
        await client.OpenAsync(uri, Source);
        var statistics = client.Services.GetRequiredService<CompletionStatistics>();

        // At the end of the comment, and inside the docstring: nothing, no model call.
        var inComment = await client.InlineCompletionAsync(uri, 6, 23, triggerKind: Automatic);
        Assert.Empty(inComment.GetProperty("result").GetProperty("items").EnumerateArray());
        var inDocstring = await client.InlineCompletionAsync(uri, 4, 30, triggerKind: Automatic);
        Assert.Empty(inDocstring.GetProperty("result").GetProperty("items").EnumerateArray());
        Assert.Equal(2, statistics.Silenced);
        Assert.Equal(0, client.ModelCalls);

        // Asked explicitly (Alt+\), the model runs.
        await client.InlineCompletionAsync(uri, 6, 23, triggerKind: Invoked);
        Assert.Equal(1, client.ModelCalls);

        // A one-line string is code's business (keys, names, paths): not silenced.
        await client.InlineCompletionAsync(uri, 7, 19, triggerKind: Automatic);
        Assert.Equal(2, statistics.Silenced);
        Assert.Equal(2, client.ModelCalls);
    }
}

using CodeAssist.Server;
using CodeAssist.Server.Completion;
using CodeAssist.Server.Configuration;
using CodeAssist.Server.Documents;
using CodeAssist.Server.Models;
using CodeAssist.Server.Routing;
using CodeAssist.Tests.Gguf;
using CodeAssist.Tests.Models;
using CodeAssist.Tests.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CodeAssist.Tests.Routing;

/// <summary>The larger-local tier with real GGUF files, through the whole completion pipeline.</summary>
[Trait(TestCategory.Name, TestCategory.Model)]
public sealed class LargerLocalFallbackTests
{
    private static readonly TestModelOptions Small = new() { OutputScale = 4f, Seed = 77 };

    /// <summary>The shipped small model (always in models/: a test that cannot find it fails).</summary>
    private static string LargerModelPath() => RepositoryPaths.ShippedModel("codeassist-py-small.gguf");

    [Fact]
    public async Task AnInvokedRequestIsAnsweredByTheLargerLocalModelLoadedOnFirstUseAndReloadedWhenItChanges()
    {
        await using var provider = new ServiceCollection().AddLogging().AddCodeAssistCore().BuildServiceProvider();
        var settings = provider.GetRequiredService<SettingsStore>();
        var larger = LargerModelPath();
        settings.Replace(CodeAssistOptions.Default with
        {
            Model = TestModel.Get(Small).Path,
            Threads = 1,
            ContextSize = 512,
            MaxTokens = 16,
            DebounceMs = 0,
            Multiline = MultilineMode.Always,
            Fallback = new FallbackOptions { Kind = FallbackKind.Local, Model = larger },
            Routing = new RoutingOptions { DeadlineMs = 60_000 },
        });
        var fallback = provider.GetRequiredService<FallbackModelProvider>();
        Assert.Null(fallback.Current);

        var documents = provider.GetRequiredService<DocumentStore>();
        var uri = "file:///work/project/larger.py";
        documents.Open(uri, "python", 1, "import os\n\n\ndef read_config(path):\n    with open(path) as handle:\n        return handle.read()\n\n\ndef main():\n    config = ");
        var service = provider.GetRequiredService<CompletionService>();
        var result = await service.CompleteAsync(new CompletionQuery(uri, 9, 13, PositionEncoding.Utf16, Invoked: true), CancellationToken.None);

        Assert.NotNull(fallback.Current);
        Assert.Equal(larger, fallback.Current!.Description.Path);
        Assert.True(result.Tier == "fallback", $"tier {result.Tier}, text '{result.Text}', source {result.Source}");
        Assert.Equal(fallback.Current.Description.Id, result.Model);
        Assert.NotEmpty(result.Text);
        var statistics = provider.GetRequiredService<RoutingStatistics>();
        Assert.Equal(1, statistics.FallbackUsed);

        // Another GGUF for the fallback: the old one is disposed and the new one loaded on next use.
        var first = fallback.Current;
        settings.Replace(settings.Current with { Fallback = settings.Current.Fallback with { Model = TestModel.Get(Small).Path } });
        Assert.Null(fallback.Current);
        documents.Open(uri, "python", 2, "def total(values):\n    return ");
        var second = await service.CompleteAsync(new CompletionQuery(uri, 1, 11, PositionEncoding.Utf16, Invoked: true), CancellationToken.None);
        Assert.NotSame(first, fallback.Current);
        Assert.Equal(TestModel.Get(Small).Path, fallback.Current!.Description.Path);
        Assert.Contains(second.Tier, new[] { "local", "fallback" });
    }
}

using System.Text.Json;
using CodeAssist.Server.Configuration;
using CodeAssist.Tests.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace CodeAssist.Tests.Configuration;

[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class ModelSelectionSettingsTests
{
    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    [Fact]
    public void ASelectedLocalModelLastsUntilTheModelSettingChanges()
    {
        var store = new SettingsStore(NullLogger<SettingsStore>.Instance);
        store.Apply(Json("""{"model": "/models/a.gguf", "maxTokens": 32}"""), "test");
        var changes = 0;
        store.Changed += (_, _) => changes++;

        store.SelectLocalModel("/models/b.gguf");
        Assert.Equal("/models/b.gguf", store.Current.Model);
        Assert.Equal("/models/a.gguf", store.Configured.Model);
        Assert.Equal(1, changes);

        // Other settings, or the same model value again, keep the selection.
        store.Apply(Json("""{"model": "/models/a.gguf", "maxTokens": 48}"""), "test");
        Assert.Equal("/models/b.gguf", store.Current.Model);
        Assert.Equal(48, store.Current.MaxTokens);

        store.Apply(Json("""{"model": "/models/c.gguf"}"""), "test");
        Assert.Equal("/models/c.gguf", store.Current.Model);
    }

    [Fact]
    public void ASelectedFallbackLastsUntilTheFallbackSettingsChange()
    {
        var store = new SettingsStore(NullLogger<SettingsStore>.Instance);
        store.Apply(Json("""{"fallback": {"kind": "ollama", "endpoint": "http://127.0.0.1:11434", "model": "coder"}}"""), "test");
        var chosen = store.Configured.Fallback with { Kind = FallbackKind.Local, Model = "/models/big.gguf" };
        store.SelectFallback(chosen);
        Assert.Equal(FallbackKind.Local, store.Current.Fallback.Kind);

        store.Apply(Json("""{"fallback": {"timeoutMs": 9000}}"""), "test");
        Assert.Equal(FallbackKind.Local, store.Current.Fallback.Kind);

        store.Apply(Json("""{"fallback": {"model": "coder-7b"}}"""), "test");
        Assert.Equal(FallbackKind.Ollama, store.Current.Fallback.Kind);
        Assert.Equal("coder-7b", store.Current.Fallback.Model);

        // Selecting what is configured is no selection at all.
        store.SelectFallback(store.Configured.Fallback);
        Assert.Equal(store.Configured, store.Current);
    }
}

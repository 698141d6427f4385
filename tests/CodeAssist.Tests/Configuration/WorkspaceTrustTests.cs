using System.Text.Json;
using CodeAssist.Server.Configuration;
using CodeAssist.Server.Models;
using CodeAssist.Server.Protocol;
using CodeAssist.Tests.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace CodeAssist.Tests.Configuration;

/// <summary>Restricted mode's rule on its own: the flag, what counts as shipped, what a refused setting leaves.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class WorkspaceTrustTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("codeassist-trust-unit-");

    public void Dispose() => _folder.Delete(recursive: true);

    /// <summary>A models/ folder with a catalog: one shipped file, one listed for download, both present.</summary>
    private (ShippedModels Shipped, string ShippedFile, string Downloaded) Catalog()
    {
        var models = _folder.CreateSubdirectory("models");
        File.WriteAllText(Path.Combine(models.FullName, ModelCatalog.FileName), """
            {"version": 1, "models": [
              {"id": "ours", "file": "ours.gguf", "shipped": true, "family": "codeassist", "fim": "spm", "license": "Apache-2.0"},
              {"id": "theirs", "file": "theirs.gguf", "shipped": false, "family": "qwen", "fim": "psm", "license": "Apache-2.0"}]}
            """);
        var ours = Path.Combine(models.FullName, "ours.gguf");
        var theirs = Path.Combine(models.FullName, "theirs.gguf");
        File.WriteAllBytes(ours, [1]);
        File.WriteAllBytes(theirs, [2]);
        return (new ShippedModels(Path.Combine(models.FullName, ModelCatalog.FileName), NullLogger<ShippedModels>.Instance), ours, theirs);
    }

    private static WorkspaceTrust Trust(ShippedModels shipped, string? initializationOptions)
    {
        var trust = new WorkspaceTrust(shipped, NullLogger<WorkspaceTrust>.Instance);
        trust.Initialize(initializationOptions is null ? null : JsonDocument.Parse(initializationOptions).RootElement);
        return trust;
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("""{"maxTokens": 8}""", false)]
    [InlineData("""{"workspaceTrusted": true}""", false)]
    [InlineData("""{"workspaceTrusted": null}""", false)]
    [InlineData("""{"workspaceTrusted": false}""", true)]
    [InlineData("""{"workspaceTrusted": "no"}""", true)]
    [InlineData("""{"workspaceTrusted": 0}""", true)]
    public void OnlyAnExplicitFalseOrAGarbledFlagIsRestrictedMode(string? options, bool restricted) =>
        Assert.Equal(restricted, Trust(Catalog().Shipped, options).IsRestricted);

    [Fact]
    public void AModelIsShippedByWhereItIsNotByItsName()
    {
        var (shipped, ours, theirs) = Catalog();
        var lookalike = Path.Combine(_folder.CreateSubdirectory("repository").CreateSubdirectory("models").FullName, "ours.gguf");
        File.WriteAllBytes(lookalike, [1]);

        Assert.Equal([ours], shipped.Paths);
        Assert.True(shipped.Contains(ours));
        Assert.False(shipped.Contains(theirs));
        Assert.False(shipped.Contains(lookalike));
        Assert.False(shipped.Contains(null));
        Assert.Empty(new ShippedModels(null, NullLogger<ShippedModels>.Instance).Paths);
    }

    [Fact]
    public void RestrictedModeKeepsThePreviousValueOfWhatItRefusesAndAppliesTheRest()
    {
        var (shipped, ours, theirs) = Catalog();
        var trust = Trust(shipped, """{"workspaceTrusted": false}""");
        var previous = CodeAssistOptions.Default with { Model = ours };
        var next = previous with
        {
            Model = theirs,
            MaxTokens = 8,
            Fallback = new FallbackOptions { Kind = FallbackKind.OpenAi, Endpoint = "http://127.0.0.1:1/v1" },
        };

        var restricted = trust.Restrict(next, previous);
        Assert.Equal(ours, restricted.Options.Model);
        Assert.Equal(previous.Fallback, restricted.Options.Fallback);
        Assert.Equal(8, restricted.Options.MaxTokens);
        Assert.Contains(theirs, restricted.LocalRefusal);
        Assert.Contains("remote", restricted.FallbackRefusal);
        Assert.Equal(2, restricted.Problems.Count());

        // A shipped local fallback, no fallback, and the default fallback (no kind chosen) pass.
        foreach (var fallback in new[] { new FallbackOptions { Kind = FallbackKind.Local, Model = ours }, new FallbackOptions { Kind = FallbackKind.None }, new FallbackOptions() })
        {
            Assert.Null(trust.Restrict(previous with { Fallback = fallback }, previous).FallbackRefusal);
        }

        Assert.NotNull(trust.Restrict(previous with { Fallback = new FallbackOptions { Kind = FallbackKind.Local, Model = theirs } }, previous).FallbackRefusal);
    }

    [Fact]
    public void TrustedEverythingPassesAndRefusalsAreReportedUntilTheSettingsChange()
    {
        var (shipped, ours, theirs) = Catalog();
        var next = CodeAssistOptions.Default with { Model = theirs, Fallback = new FallbackOptions { Kind = FallbackKind.Ollama } };
        Assert.Equal(next, Trust(shipped, """{"workspaceTrusted": true}""").Restrict(next, CodeAssistOptions.Default).Options);

        var trust = Trust(shipped, """{"workspaceTrusted": false}""");
        var changes = 0;
        trust.RefusalsChanged += () => changes++;
        trust.Report(trust.Restrict(next, CodeAssistOptions.Default));
        Assert.NotNull(trust.Refusal(ModelTiers.Local));
        Assert.NotNull(trust.Refusal(ModelTiers.Fallback));
        trust.Report(trust.Restrict(next, CodeAssistOptions.Default));
        trust.Report(trust.Restrict(CodeAssistOptions.Default with { Model = ours }, CodeAssistOptions.Default));
        Assert.Null(trust.Refusal(ModelTiers.Local));
        Assert.Null(trust.Refusal(ModelTiers.Fallback));
        Assert.Equal(2, changes);
    }
}

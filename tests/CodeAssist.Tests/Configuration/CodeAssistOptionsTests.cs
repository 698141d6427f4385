using System.Text.Json;
using CodeAssist.Server.Configuration;
using CodeAssist.Server.Prompting;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.Configuration;

[Trait(TestCategory.Name, TestCategory.Unit)]
public class CodeAssistOptionsTests
{
    private static CodeAssistOptions Parse(string json, out IReadOnlyList<string> problems) =>
        CodeAssistOptions.Parse(JsonDocument.Parse(json).RootElement, CodeAssistOptions.Default, out problems);

    [Fact]
    public void EveryDocumentedKeyIsRead()
    {
        var options = Parse("""{"model": "/m.gguf", "threads": 2, "contextSize": 1024, "maxTokens": 32, "debounceMs": 10, "multiline": "never", "maxLines": 4, "enable": false}""", out var problems);
        Assert.Empty(problems);
        Assert.Equal("/m.gguf", options.Model);
        Assert.Equal(2, options.Threads);
        Assert.Equal(1024, options.ContextSize);
        Assert.Equal(32, options.MaxTokens);
        Assert.Equal(10, options.DebounceMs);
        Assert.Equal(MultilineMode.Never, options.Multiline);
        Assert.Equal(4, options.MaxLines);
        Assert.False(options.Enable);
    }

    [Fact]
    public void TheSectionMayArriveWrappedInItsName()
    {
        var options = Parse("""{"codeAssist": {"maxTokens": 16}}""", out var problems);
        Assert.Empty(problems);
        Assert.Equal(16, options.MaxTokens);
    }

    [Fact]
    public void BadValuesAreReportedAndLeaveTheBaselineUnknownKeysAreIgnored()
    {
        var options = Parse("""{"threads": "two", "contextSize": 5, "multiline": "sometimes", "model": 3, "futureKey": 1, "maxTokens": 8}""", out var problems);
        Assert.Equal(4, problems.Count);
        Assert.Contains(problems, p => p.Contains("threads"));
        Assert.Contains(problems, p => p.Contains("contextSize"));
        Assert.Contains(problems, p => p.Contains("multiline"));
        Assert.Contains(problems, p => p.Contains("model"));
        Assert.Equal(CodeAssistOptions.Default.ContextSize, options.ContextSize);
        Assert.Null(options.Threads);
        Assert.Equal(8, options.MaxTokens);
    }

    [Fact]
    public void ANonObjectIsAProblemAndNullIsNot()
    {
        Parse("[1]", out var problems);
        Assert.Single(problems);
        CodeAssistOptions.Parse(null, CodeAssistOptions.Default, out problems);
        Assert.Empty(problems);
    }

    [Fact]
    public void LaterChangesApplyOverEarlierOnes()
    {
        var first = Parse("""{"maxTokens": 10, "debounceMs": 5}""", out _);
        var second = CodeAssistOptions.Parse(JsonDocument.Parse("""{"maxTokens": 20}""").RootElement, first, out _);
        Assert.Equal(20, second.MaxTokens);
        Assert.Equal(5, second.DebounceMs);
    }
}

[Trait(TestCategory.Name, TestCategory.Unit)]
public class ContextCopySettingTests
{
    [Fact]
    public void ContextCopyIsAutoByDefaultAndTakesBooleansOrAuto()
    {
        Assert.Null(CodeAssistOptions.Default.ContextCopy);
        var off = CodeAssistOptions.Parse(System.Text.Json.JsonDocument.Parse("""{"contextCopy": false}""").RootElement, CodeAssistOptions.Default, out var problems);
        Assert.Empty(problems);
        Assert.False(off.ContextCopy);
        var auto = CodeAssistOptions.Parse(System.Text.Json.JsonDocument.Parse("""{"contextCopy": "auto"}""").RootElement, off, out problems);
        Assert.Empty(problems);
        Assert.Null(auto.ContextCopy);
        var kept = CodeAssistOptions.Parse(System.Text.Json.JsonDocument.Parse("""{"contextCopy": "yes"}""").RootElement, off, out problems);
        Assert.Equal("contextCopy must be true, false or \"auto\"", Assert.Single(problems));
        Assert.False(kept.ContextCopy);
    }

    [Theory]
    [InlineData(null, FimFamily.CodeAssist, true)]
    [InlineData(null, FimFamily.Qwen, false)]
    [InlineData(null, FimFamily.StarCoder, false)]
    [InlineData(true, FimFamily.Qwen, true)]
    [InlineData(false, FimFamily.CodeAssist, false)]
    public void AutoCopiesForCodeAssistsOwnModelsOnly(bool? setting, FimFamily family, bool copies)
    {
        var template = FimTemplate.ForFamily(family);
        var model = new CodeAssist.Server.Inference.ModelDescription("m", "/m.gguf", "llama", template, 512, 1, 1);
        Assert.Equal(copies, CodeAssist.Server.Inference.ContextCopy.For(setting, model) is not null);
    }
}

[Trait(TestCategory.Name, TestCategory.Unit)]
public class FimOrderSettingTests
{
    [Theory]
    [InlineData("\"psm\"", CodeAssist.Server.Prompting.FimOrder.Psm)]
    [InlineData("\"spm\"", CodeAssist.Server.Prompting.FimOrder.Spm)]
    [InlineData("\"auto\"", null)]
    [InlineData("null", null)]
    public void FimOrderIsReadAndAutoMeansTheModelsOwn(string json, CodeAssist.Server.Prompting.FimOrder? expected)
    {
        var baseline = CodeAssistOptions.Default with { FimOrder = CodeAssist.Server.Prompting.FimOrder.Psm };
        var options = CodeAssistOptions.Parse(System.Text.Json.JsonDocument.Parse($$"""{"fimOrder": {{json}}}""").RootElement, baseline, out var problems);
        Assert.Empty(problems);
        Assert.Equal(expected, options.FimOrder);
    }

    [Fact]
    public void AnUnknownFimOrderIsAProblem()
    {
        CodeAssistOptions.Parse(System.Text.Json.JsonDocument.Parse("""{"fimOrder": "middle-first"}""").RootElement, CodeAssistOptions.Default, out var problems);
        Assert.Single(problems);
    }
}

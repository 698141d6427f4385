using CodeAssist.Server.Inference;
using CodeAssist.Server.Prompting;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.Models;

/// <summary>What model names say, as servers and hubs spell them: a FIM code family, a chat fine-tune, a base model.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class ModelNamesTests
{
    [Theory]
    [InlineData("qwen2.5-coder:1.5b-base", FimFamily.Qwen, true)]
    [InlineData("Qwen/Qwen2.5-Coder-7B", FimFamily.Qwen, true)]
    [InlineData("Qwen/Qwen2.5-Coder-7B-Instruct", FimFamily.Qwen, false)]
    [InlineData("starcoder2:3b", FimFamily.StarCoder, true)]
    [InlineData("bigcode/starcoder2-15b", FimFamily.StarCoder, true)]
    [InlineData("granite-code:3b", FimFamily.StarCoder, true)]
    [InlineData("deepseek-coder:1.3b-base", FimFamily.DeepSeek, true)]
    [InlineData("deepseek-coder:6.7b-instruct", FimFamily.DeepSeek, false)]
    [InlineData("codellama:7b-code", FimFamily.CodeLlama, true)]
    [InlineData("codegemma:7b-it", FimFamily.CodeGemma, false)]
    [InlineData("codegemma:2b", FimFamily.CodeGemma, true)]
    [InlineData("codestral:22b", FimFamily.Codestral, true)]
    public void CodeFamiliesAreToldFromTheirNamesAndChatFineTunesAreNotFimCodeModels(string name, FimFamily family, bool fim)
    {
        Assert.Equal(family, ModelNames.FimFamilyOf(name));
        Assert.Equal(fim, ModelNames.SaysFimCodeModel(name));
    }

    [Theory]
    [InlineData("llama3.2:3b")]
    [InlineData("mistral:7b")]
    [InlineData("gpt-4o-mini")]
    public void OtherModelsAreNoFimCodeModels(string name)
    {
        Assert.Null(ModelNames.FimFamilyOf(name));
        Assert.False(ModelNames.SaysFimCodeModel(name));
    }

    [Theory]
    [InlineData("Qwen2.5-Coder-1.5B-Instruct", "Instruct", null)]
    [InlineData("deepseek-coder-chat", "chat", null)]
    [InlineData("codegemma 7b it", "it", null)]
    [InlineData("deepseek-coder-1.3b-base", null, "base")]
    [InlineData("gemma-2b-pt", null, "pt")]
    [InlineData("Qwen2.5 Coder 1.5B", null, null)]
    [InlineData("italic-coder", null, null)]
    public void ChatAndBaseMarkersAreWholeNameParts(string name, string? instruct, string? @base)
    {
        Assert.Equal(instruct, ModelNames.InstructMarker(name));
        Assert.Equal(@base, ModelNames.BaseMarker(name));
    }
}

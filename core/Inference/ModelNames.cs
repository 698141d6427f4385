using System.Text.RegularExpressions;
using CodeAssist.Server.Prompting;

namespace CodeAssist.Server.Inference;

/// <summary>
/// What a model's name says about it, for the model check (<see cref="ModelPreflight"/>) and the models a remote server
/// lists (<c>codeAssist.listModels</c>): a chat/instruct fine-tune, a base model, a code family that fills in the middle.
/// Names are a hint, not a proof: the listing says "by its name".
/// </summary>
public static class ModelNames
{
    // A name part that marks a chat/instruct fine-tune: "Instruct", "Chat", "-it" (CodeGemma-7b-it), "RLHF", "DPO", "SFT".
    private static readonly Regex InstructWord = new(@"(?:^|[\s\-_./:])(instruct|chat|it|rlhf|dpo|sft|assistant)(?:$|[\s\-_./:])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    // A name part that marks a base model ("base", "pretrained", "pt"; Ollama's "-code" tags of CodeLlama and CodeGemma).
    private static readonly Regex BaseWord = new(@"(?:^|[\s\-_./:])(base|pretrained|pt|code)(?:$|[\s\-_./:])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    // Code model families trained to fill in the middle, as servers and hubs spell them.
    private static readonly (Regex Pattern, FimFamily Family)[] FimFamilies =
    [
        (new Regex(@"qwen[\d.]*[-_ ]?coder", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)), FimFamily.Qwen),
        (new Regex(@"starcoder|granite[-_ ]?(?:\d+b[-_ ]?)?code", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)), FimFamily.StarCoder),
        (new Regex(@"deepseek[-_ ]?coder", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)), FimFamily.DeepSeek),
        (new Regex(@"code[-_ ]?llama", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)), FimFamily.CodeLlama),
        (new Regex(@"code[-_ ]?gemma", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)), FimFamily.CodeGemma),
        (new Regex(@"codestral", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)), FimFamily.Codestral),
        (new Regex(@"codeassist", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)), FimFamily.CodeAssist),
    ];

    /// <summary>The word of <paramref name="name"/> that marks a chat/instruct model ("Instruct", "chat", "it"…), or null.</summary>
    public static string? InstructMarker(string name) => InstructWord.Match(name) is { Success: true } match ? match.Groups[1].Value : null;

    /// <summary>The word of <paramref name="name"/> that marks a base model ("base", "pt", "code"…), or null.</summary>
    public static string? BaseMarker(string name) => BaseWord.Match(name) is { Success: true } match ? match.Groups[1].Value : null;

    /// <summary>The FIM family a code model's name names, or null for a name of no such family.</summary>
    public static FimFamily? FimFamilyOf(string name)
    {
        foreach (var (pattern, family) in FimFamilies)
        {
            if (pattern.IsMatch(name))
            {
                return family;
            }
        }

        return null;
    }

    /// <summary>True when the name says a code model that fills in the middle: a FIM family, not a chat fine-tune.</summary>
    public static bool SaysFimCodeModel(string name) => FimFamilyOf(name) is not null && InstructMarker(name) is null;
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CodeAssist.Server.Inference.Gguf;
using CodeAssist.Server.Prompting;
using LLama.Native;

namespace CodeAssist.Server.Inference;

/// <summary>Whether a model was trained to continue code (base) or to answer a conversation (instruct/chat).</summary>
public enum ModelKind
{
    /// <summary>Neither the file nor the self-test says which.</summary>
    Uncertain,

    /// <summary>A base (completion) model: what ghost text needs.</summary>
    Base,

    /// <summary>An instruct or chat model: it answers requests, it does not fill in code.</summary>
    Instruct,
}

/// <summary>What a model answered to the one-line fill-in-the-middle self-test run in the child process that checks a file.</summary>
/// <param name="Answer">The first line it generated (at most 80 characters), empty when it generated no text.</param>
/// <param name="FirstControlToken">The text of the control token it chose first when that token is no end of generation
/// (e.g. <c>&lt;|im_start|&gt;</c>: a chat model starting a turn); null otherwise.</param>
/// <param name="EndedAtOnce">Its first token ended generation (an end-of-text or end-of-middle token): no answer.</param>
/// <param name="Error">Why the self-test could not run (the file still loaded and decoded); null when it ran.</param>
public sealed record SelfTestResult(string Answer, string? FirstControlToken, bool EndedAtOnce, string? Error = null)
{
    /// <summary>The code before the cursor in the self-test: a documented function whose body is one expression.</summary>
    public const string Prefix = "def add(a, b):\n    \"\"\"Return the sum of a and b.\"\"\"\n    return ";

    /// <summary>The code after the cursor in the self-test.</summary>
    public const string Suffix = "\n\n\nprint(add(2, 3))\n";

    /// <summary>One line of JSON (what the child process writes on its standard output).</summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("answer", Answer);
            writer.WriteString("firstControlToken", FirstControlToken);
            writer.WriteBoolean("endedAtOnce", EndedAtOnce);
            writer.WriteString("error", Error);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Reads <see cref="ToJson"/>'s line; null when it is not one.</summary>
    public static SelfTestResult? FromJson(string? line)
    {
        if (string.IsNullOrWhiteSpace(line) || !line.TrimStart().StartsWith('{'))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            string? Text(string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            return new SelfTestResult(
                Text("answer") ?? string.Empty,
                Text("firstControlToken"),
                root.TryGetProperty("endedAtOnce", out var ended) && ended.ValueKind == JsonValueKind.True,
                Text("error"));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Runs the self-test on a loaded model: the model's first choice after the FIM prompt (is it a control token?), then
    /// a greedy completion of one line through the model's own pipeline.
    /// </summary>
    public static async Task<SelfTestResult> RunAsync(LocalModel model, CancellationToken cancellationToken)
    {
        var template = model.Description.Template;
        var prompt = model.TokenizePrompt(template.Build(Prefix, template.SupportsFim ? Suffix : string.Empty));
        if (prompt.Count == 0 || prompt.Count >= model.Description.ContextLength - 16)
        {
            return new SelfTestResult(string.Empty, null, false, "the self-test's prompt does not fit the model's context");
        }

        var logits = await model.EvaluateAsync(prompt, cancellationToken).ConfigureAwait(false);
        var last = logits[^1];
        var first = 0;
        for (var i = 1; i < last.Length; i++)
        {
            if (last[i] > last[first])
            {
                first = i;
            }
        }

        var token = (LLamaToken)first;
        if (model.EndsGeneration(token))
        {
            var control = model.SpecialTokenText(token);
            var stop = control is null || template.StopMarkers.Contains(control) || model.IsEndToken(token);
            return new SelfTestResult(string.Empty, stop ? null : control, stop);
        }

        var completion = await model.CompleteAsync(
            new CompletionRequest(Prefix, template.SupportsFim ? Suffix : string.Empty, MaxTokens: 24, StopWhen: text => text.Contains('\n', StringComparison.Ordinal)),
            cancellationToken).ConfigureAwait(false);
        var answer = completion.Text.Split('\n')[0];
        return new SelfTestResult(answer.Length > 80 ? answer[..80] : answer, null, false);
    }
}

/// <summary>
/// What CodeAssist can tell a user about a model file before they wonder why completion does nothing: can it fill in
/// the middle, in which family's format, is it a chat model, and what did it answer to a one-line self-test. Told from the
/// GGUF header (<c>general.finetune</c>, <c>general.name</c>, the FIM tokens) and the self-test; a chat template proves
/// nothing (base GGUFs carry one too), and "uncertain" is an allowed answer.
/// </summary>
/// <param name="Family">The FIM family's name for people (e.g. "Qwen2.5-Coder"), or null without FIM.</param>
/// <param name="Fim">Whether the model can fill in the middle.</param>
/// <param name="Kind">Base, instruct or uncertain.</param>
/// <param name="KindEvidence">What the kind was told from, for people (e.g. "its name says Instruct").</param>
/// <param name="SelfTest">The self-test's answer, null when none ran (a trusted shipped model, or no child process).</param>
/// <param name="Summary">One sentence for the status bar, <c>codeAssist/status</c>, <c>codeassist models</c> and the log.</param>
/// <param name="Warn">True when the user should act: no FIM, a chat model, or a self-test that answered a control token or nothing.</param>
public sealed record ModelPreflight(string? Family, bool Fim, ModelKind Kind, string KindEvidence, SelfTestResult? SelfTest, string Summary, bool Warn)
{
    // What chat models start an answer with when given code: a fence, a turn marker, or a sentence to the user.
    private static readonly Regex ChatAnswer = new(@"^\s*(```|<\||<start_of_turn>|\[INST\]|(Here|Sure|Certainly|Of course|To |The function|This function|I )\b)", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    /// <summary>The check of a file, from its header (vocabulary arrays read) and an optional self-test.</summary>
    public static ModelPreflight Assess(GgufFileInfo file, SelfTestResult? selfTest)
    {
        var template = FimTemplateDetector.Detect(new GgufTokenInventory(file));
        return Assess(file, template, selfTest);
    }

    /// <summary>The check of a file whose FIM template is known (a loaded model's).</summary>
    public static ModelPreflight Assess(GgufFileInfo file, FimTemplate template, SelfTestResult? selfTest)
    {
        var names = new[] { "general.finetune", "general.name", "general.basename", "general.type" }
            .Select(key => (Key: key, Value: file.GetString(key)))
            .Where(pair => !string.IsNullOrWhiteSpace(pair.Value))
            .Append((Key: "its file name", Value: (string?)Path.GetFileNameWithoutExtension(file.Path)))
            .ToList();
        var (kind, evidence) = KindOf(names, selfTest);
        var family = FamilyName(template.Family);
        var summary = new StringBuilder();
        var warn = false;
        if (kind == ModelKind.Instruct)
        {
            summary.Append(CultureInfo.InvariantCulture, $"this is a chat (instruct) model ({evidence}): use it as the fallback for code actions, not for ghost text");
            warn = true;
        }
        else if (!template.SupportsFim)
        {
            summary.Append("this model cannot fill in the middle: completions use the text before the cursor only");
            warn = true;
        }
        else
        {
            summary.Append(CultureInfo.InvariantCulture, $"fills in the middle ({family} format)");
        }

        if (selfTest is { Error: { } error })
        {
            summary.Append(CultureInfo.InvariantCulture, $"; the self-test did not run ({error})");
        }
        else if (selfTest?.FirstControlToken is { } control)
        {
            summary.Append(CultureInfo.InvariantCulture, $"; its self-test answered with the control token {control}, so ghost text from it may be empty or wrong");
            warn = true;
        }
        else if (selfTest is { EndedAtOnce: true })
        {
            summary.Append("; its self-test ended at once without an answer, so ghost text from it may be empty");
            warn = true;
        }
        else if (selfTest is not null)
        {
            summary.Append(CultureInfo.InvariantCulture, $"; self-test answered \"{selfTest.Answer.Trim()}\"");
        }

        if (kind == ModelKind.Uncertain)
        {
            summary.Append("; whether it is a base or a chat model is uncertain");
        }

        return new ModelPreflight(template.SupportsFim ? family : null, template.SupportsFim, kind, evidence, selfTest, summary.ToString(), warn);
    }

    /// <summary>A family's name as people know it.</summary>
    public static string FamilyName(FimFamily family) => family switch
    {
        FimFamily.CodeAssist => "CodeAssist",
        FimFamily.StarCoder => "StarCoder",
        FimFamily.Qwen => "Qwen2.5-Coder",
        FimFamily.CodeGemma => "CodeGemma",
        FimFamily.DeepSeek => "DeepSeek-Coder",
        FimFamily.CodeLlama => "CodeLlama",
        FimFamily.Codestral => "Codestral",
        FimFamily.Generic => "tokens named in its metadata",
        _ => "none",
    };

    private static (ModelKind Kind, string Evidence) KindOf(IReadOnlyList<(string Key, string? Value)> names, SelfTestResult? selfTest)
    {
        foreach (var (key, value) in names)
        {
            if (ModelNames.InstructMarker(value!) is { } word)
            {
                return (ModelKind.Instruct, $"{Where(key)} says \"{word}\"");
            }
        }

        if (selfTest is { Error: null } && (ChatAnswer.IsMatch(selfTest.Answer) || IsChatMarker(selfTest.FirstControlToken)))
        {
            return (ModelKind.Instruct, "its self-test answered like a chat model");
        }

        foreach (var (key, value) in names)
        {
            if (ModelNames.BaseMarker(value!) is { } word)
            {
                return (ModelKind.Base, $"{Where(key)} says \"{word}\"");
            }
        }

        if (names.Any(pair => pair.Value!.StartsWith("codeassist", StringComparison.OrdinalIgnoreCase)))
        {
            return (ModelKind.Base, "CodeAssist's own model");
        }

        return selfTest is { Error: null, FirstControlToken: null, EndedAtOnce: false } && selfTest.Answer.Trim().Length > 0
            ? (ModelKind.Base, "its self-test answered code")
            : (ModelKind.Uncertain, "neither its name nor its self-test tells");
    }

    private static bool IsChatMarker(string? token) =>
        token is not null && (token.Contains("im_start", StringComparison.Ordinal) || token.Contains("im_end", StringComparison.Ordinal)
            || token.Contains("start_of_turn", StringComparison.Ordinal) || token.Contains("INST", StringComparison.Ordinal));

    private static string Where(string key) => key switch
    {
        "general.finetune" => "its fine-tune tag",
        "general.name" or "general.basename" => "its name",
        "general.type" => "its type",
        _ => key,
    };
}

using System.Text.Json;

namespace CodeAssist.Server.Configuration;

/// <summary>
/// The <c>codeActions</c> settings object: how many candidates a code action samples (besides the greedy one), how
/// long it may spend on them, and how it samples. The checks pick from them (<see cref="CodeActions.BodyCheck"/>).
/// </summary>
public sealed record CodeActionsOptions
{
    /// <summary>Sampled candidates per code action, besides the greedy one (0: the greedy one alone).</summary>
    public int Candidates { get; init; } = 15;

    /// <summary>No sample starts after this many milliseconds of the action's generation, and running ones end.</summary>
    public int BudgetMs { get; init; } = 1000;

    /// <summary>The sampling temperature.</summary>
    public double Temperature { get; init; } = 0.8;

    /// <summary>The sampling nucleus (top-p).</summary>
    public double TopP { get; init; } = 0.95;

    /// <summary>
    /// How the candidates that passed the checks are ranked: true, by consensus (the one most like the others, the
    /// same text sampled twice counting twice; the model's mean log-probability breaks ties); false, by the mean
    /// log-probability alone.
    /// </summary>
    public bool Consensus { get; init; } = true;

    /// <summary>Reads a <c>codeActions</c> object over <paramref name="baseline"/>; bad values are reported and skipped.</summary>
    public static CodeActionsOptions Parse(JsonElement json, CodeActionsOptions baseline, List<string> errors)
    {
        if (json.ValueKind == JsonValueKind.Null)
        {
            return new CodeActionsOptions();
        }

        if (json.ValueKind != JsonValueKind.Object)
        {
            errors.Add("codeActions must be an object");
            return baseline;
        }

        var options = baseline;
        foreach (var property in json.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "candidates":
                    if (SettingValues.ReadInt(value, 0, 64, "codeActions.candidates", errors) is { } candidates)
                    {
                        options = options with { Candidates = candidates };
                    }

                    break;
                case "budgetMs":
                    if (SettingValues.ReadInt(value, 1, 600_000, "codeActions.budgetMs", errors) is { } budget)
                    {
                        options = options with { BudgetMs = budget };
                    }

                    break;
                case "temperature":
                    if (SettingValues.ReadDouble(value, 0.05, 2, "codeActions.temperature", errors) is { } temperature)
                    {
                        options = options with { Temperature = temperature };
                    }

                    break;
                case "consensus":
                    if (SettingValues.ReadBool(value, "codeActions.consensus", errors) is { } consensus)
                    {
                        options = options with { Consensus = consensus };
                    }

                    break;
                case "topP":
                    if (SettingValues.ReadDouble(value, 0.05, 1, "codeActions.topP", errors) is { } topP)
                    {
                        options = options with { TopP = topP };
                    }

                    break;
            }
        }

        return options;
    }
}

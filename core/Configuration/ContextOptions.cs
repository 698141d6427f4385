using System.Text.Json;

namespace CodeAssist.Server.Configuration;

/// <summary>
/// The <c>context</c> settings object: what a completion may draw on beyond the prompt's window of the current file
/// (the copy model's sources, <see cref="Context.WorkspaceContext"/>), and how much of each.
/// </summary>
public sealed record ContextOptions
{
    /// <summary>Whether the workspace is used: the current file beyond the window, definitions it imports, recent edits elsewhere.</summary>
    public bool Workspace { get; init; } = true;

    /// <summary>Characters of imported definitions (signatures, docstring first lines, constants) per document.</summary>
    public int ImportChars { get; init; } = 8000;

    /// <summary>Characters of recently edited text from other documents.</summary>
    public int EditChars { get; init; } = 8000;

    /// <summary>Characters of the current file outside the prompt's window, on each side.</summary>
    public int FileChars { get; init; } = 32000;

    /// <summary>
    /// Whether a prompt starts with the definitions of imported names used near the cursor: null ("auto") for models
    /// whose context has room (2,048 tokens or more) and that are not CodeAssist's own (whose 512-token window is kept
    /// for the current file: measured, README *Workspace context*); true or false for every local model.
    /// </summary>
    public bool? PromptSnippets { get; init; }

    /// <summary>Characters of those definitions a prompt may start with.</summary>
    public int SnippetChars { get; init; } = 2000;

    /// <summary>Tokens of the workspace's other modules the copy model indexes at most (about 6 bytes each); 0 turns the index off.</summary>
    public int IndexTokens { get; init; } = 8_000_000;

    /// <summary>Reads a <c>context</c> object over <paramref name="baseline"/>; bad values are reported and skipped.</summary>
    public static ContextOptions Parse(JsonElement json, ContextOptions baseline, List<string> errors)
    {
        if (json.ValueKind == JsonValueKind.Null)
        {
            return new ContextOptions();
        }

        if (json.ValueKind != JsonValueKind.Object)
        {
            errors.Add("context must be an object");
            return baseline;
        }

        var options = baseline;
        foreach (var property in json.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "workspace":
                    if (SettingValues.ReadBool(value, "context.workspace", errors) is { } workspace)
                    {
                        options = options with { Workspace = workspace };
                    }

                    break;
                case "importChars":
                    if (SettingValues.ReadInt(value, 0, 200_000, "context.importChars", errors) is { } imports)
                    {
                        options = options with { ImportChars = imports };
                    }

                    break;
                case "editChars":
                    if (SettingValues.ReadInt(value, 0, 200_000, "context.editChars", errors) is { } edits)
                    {
                        options = options with { EditChars = edits };
                    }

                    break;
                case "promptSnippets":
                    if (SettingValues.TryReadAuto(value, "context.promptSnippets", errors, out var promptSnippets))
                    {
                        options = options with { PromptSnippets = promptSnippets };
                    }

                    break;
                case "snippetChars":
                    if (SettingValues.ReadInt(value, 0, 20_000, "context.snippetChars", errors) is { } snippetChars)
                    {
                        options = options with { SnippetChars = snippetChars };
                    }

                    break;
                case "indexTokens":
                    if (SettingValues.ReadInt(value, 0, 100_000_000, "context.indexTokens", errors) is { } indexTokens)
                    {
                        options = options with { IndexTokens = indexTokens };
                    }

                    break;
                case "fileChars":
                    if (SettingValues.ReadInt(value, 0, 1_000_000, "context.fileChars", errors) is { } file)
                    {
                        options = options with { FileChars = file };
                    }

                    break;
            }
        }

        return options;
    }
}

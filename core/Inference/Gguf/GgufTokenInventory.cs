using CodeAssist.Server.Prompting;

namespace CodeAssist.Server.Inference.Gguf;

/// <summary>
/// A model's control tokens read from its GGUF header rather than from llama.cpp, so the FIM format of a file can be
/// told (for <c>codeAssist.listModels</c>) without loading its weights.
/// </summary>
public sealed class GgufTokenInventory : IModelTokenInventory
{
    /// <summary>The arrays <see cref="GgufReader"/> must keep for this inventory.</summary>
    public static readonly IReadOnlyCollection<string> VocabularyArrays = ["tokenizer.ggml.tokens", "tokenizer.ggml.token_type"];

    // GGUF token types (llama.cpp's llama_token_type): 3 control, 4 user-defined; both are parsed as special tokens.
    private const int ControlType = 3;
    private const int UserDefinedType = 4;

    private readonly GgufFileInfo _file;
    private readonly Dictionary<string, int> _special = new(StringComparer.Ordinal);
    private readonly Dictionary<int, string> _specialById = [];

    /// <summary>Builds the inventory from a header read with <see cref="VocabularyArrays"/>.</summary>
    public GgufTokenInventory(GgufFileInfo file)
    {
        _file = file;
        if (!file.Arrays.TryGetValue("tokenizer.ggml.tokens", out var tokens) || !file.Arrays.TryGetValue("tokenizer.ggml.token_type", out var types))
        {
            return;
        }

        var findsFimByText = file.GetInteger("tokenizer.ggml.fim_pre_token_id") is null && file.GetInteger("tokenizer.ggml.prefix_token_id") is null;
        for (var id = 0; id < tokens.Count && id < types.Count; id++)
        {
            // In a file that names no FIM ids, llama.cpp finds the FIM tokens by their text and makes a normal-typed one a
            // control token at load: count it as the loaded model will.
            if (tokens[id] is string text && text.Length > 0
                && (Convert.ToInt64(types[id], System.Globalization.CultureInfo.InvariantCulture) is ControlType or UserDefinedType
                    || (findsFimByText && FimTemplateDetector.MarkerSpellings.Contains(text))))
            {
                _special.TryAdd(text, id);
                _specialById[id] = text;
            }
        }
    }

    /// <summary>Reads a file's header and detects its FIM template; throws <see cref="ModelLoadException"/> for a file that is not a valid GGUF.</summary>
    public static FimTemplate DetectTemplate(string path) =>
        FimTemplateDetector.Detect(new GgufTokenInventory(GgufReader.Read(path, VocabularyArrays)));

    /// <inheritdoc />
    public bool HasSpecialToken(string text) => _special.ContainsKey(text);

    /// <inheritdoc />
    public string? SpecialTokenFromMetadata(string key) =>
        _file.GetInteger(key) is { } id && id is >= 0 and <= int.MaxValue && _specialById.TryGetValue((int)id, out var text) ? text : null;

    /// <inheritdoc />
    public string? MetadataString(string key) => _file.GetString(key);
}

using System.Collections.Concurrent;

namespace CodeAssist.Server.Prompting;

/// <summary>
/// The prompt stage of a completion: the generation budget for a model and the text around the cursor cut to the rest
/// of its context (<see cref="ContextBuilder"/>), with the prompt's start kept where the last prompt for the same
/// document and model began, so the KV cache and the incremental tokenizer keep their work. The model applies its FIM
/// template to the result through <see cref="FimPrompt"/>.
/// </summary>
public sealed class PromptBuilder
{
    // Per document and model file: the document offset where the last prompt's prefix began (see ContextBuilder.Build).
    private readonly ConcurrentDictionary<(string Document, string Model), int> _prefixAnchors = new();

    /// <summary>Tokens a model may generate for a completion: the setting, but never more than a quarter of its context.</summary>
    public static int MaxTokens(int configured, int contextLength) => Math.Min(configured, Math.Max(1, contextLength / 4));

    /// <summary>
    /// Cuts <paramref name="prefix"/> (the text before the cursor, which is at <paramref name="cursorOffset"/> in the
    /// document) and <paramref name="suffix"/> to the model's budget. With <paramref name="anchored"/> the prompt's start is
    /// remembered and reused; without (evaluation), every prompt is fitted afresh.
    /// </summary>
    public PromptContext Fit(
        string documentKey, int cursorOffset, string prefix, string suffix, string modelPath, int contextLength, int maxTokens, Func<string, int> countTokens, bool anchored)
    {
        // The prefix text ends at the cursor, so its start in the document is cursorOffset - prefix.Length.
        var prefixOffset = cursorOffset - prefix.Length;
        var anchorKey = (documentKey, modelPath);
        int? anchor = !anchored ? null : _prefixAnchors.TryGetValue(anchorKey, out var previous) ? previous - prefixOffset : -1;
        var context = ContextBuilder.Build(prefix, suffix, contextLength, maxTokens, countTokens, anchor);
        if (anchored)
        {
            if (_prefixAnchors.Count > 1024)
            {
                _prefixAnchors.Clear();
            }

            _prefixAnchors[anchorKey] = prefixOffset + context.PrefixStart;
        }

        return context;
    }
}

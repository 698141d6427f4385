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
    /// The snippets a model's prompt starts with (<see cref="PromptSnippets"/>) and the tokens they take: none unless
    /// <paramref name="setting"/> (<c>context.promptSnippets</c>) says so — null ("auto") means models whose context has
    /// room (<see cref="SnippetMinContext"/> tokens or more) other than CodeAssist's own — and at most a quarter of the
    /// context, dropping the last snippets first.
    /// </summary>
    public static (PromptSnippets? Snippets, int Tokens) FitSnippets(PromptSnippets? snippets, bool? setting, Inference.ModelDescription model, Func<string, int> countTokens)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(countTokens);
        if (!WantsSnippets(setting, model) || snippets is not { Items.Count: > 0 })
        {
            return (null, 0);
        }

        var items = snippets.Items.ToList();
        while (items.Count > 0)
        {
            var fitted = snippets with { Items = items };
            // The comment header's tokens stand for either layout (the repository format's markers and paths are fewer).
            var tokens = countTokens(FimPrompt.CommentHeader(fitted)) + (2 * items.Count) + 4;
            if (tokens <= model.ContextLength / 4)
            {
                return (fitted, tokens);
            }

            items.RemoveAt(items.Count - 1);
        }

        return (null, 0);
    }

    /// <summary>Whether <paramref name="model"/>'s prompts take snippets under <paramref name="setting"/> (null: "auto").</summary>
    public static bool WantsSnippets(bool? setting, Inference.ModelDescription model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return setting ?? (model.Template.Family != FimFamily.CodeAssist && model.ContextLength >= SnippetMinContext);
    }

    /// <summary>The smallest context a model needs for snippets under the "auto" setting.</summary>
    public const int SnippetMinContext = 2048;

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

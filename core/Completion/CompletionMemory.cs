using System.Globalization;
using CodeAssist.Server.Configuration;
using CodeAssist.Server.Inference;

namespace CodeAssist.Server.Completion;

/// <summary>
/// The cache stages of the pipeline: before any model runs, an answer typed through or cached for the same text; after
/// the model, the answer remembered for both. Keyed by the local model file and the settings that change its output.
/// </summary>
internal sealed class CompletionMemory(CompletionCache cache, CompletionStatistics statistics)
{
    /// <summary>The cheap answer for <paramref name="context"/> under <paramref name="localModel"/>: typed through the last suggestion, or cached; null when there is none.</summary>
    public Recalled? TryAnswer(CursorText context, ModelDescription localModel, CodeAssistOptions options)
    {
        var cacheKey = Key(localModel, options);
        if (cache.TryTypeThrough(context.DocumentKey, cacheKey, context.CursorOffset, context.Prefix, context.Suffix, out var text, out var origin))
        {
            statistics.RecordTypedThrough();
            return new Recalled(text, origin, "typed-through", cacheKey);
        }

        if (cache.TryGet(cacheKey, context.Prefix, context.Suffix, out text, out origin))
        {
            statistics.RecordCacheHit();
            return new Recalled(text, origin, "cache", cacheKey);
        }

        return null;
    }

    /// <summary>Remembers a model's answer for the same text.</summary>
    public void Add(string cacheKey, CursorText context, string text, SuggestionOrigin origin) =>
        cache.Add(cacheKey, context.Prefix, context.Suffix, text, origin);

    /// <summary>Remembers what the editor is shown, so that typing it through answers at once.</summary>
    public void Shown(string cacheKey, CursorText context, string text, SuggestionOrigin origin)
    {
        cache.RememberShown(context.DocumentKey, cacheKey, context.CursorOffset, context.Prefix, context.Suffix, text, origin);
    }

    // What a cached answer depends on besides the text around the cursor: the model file and the settings that change
    // what it generates (a cache keyed by the model alone would answer with copy-model output after contextCopy is
    // turned off, or with 64 tokens after maxTokens became 8). Keyed by file, not by general.name: two checkpoints of
    // one model share a name.
    public static string Key(ModelDescription model, CodeAssistOptions options) => string.Create(
        CultureInfo.InvariantCulture,
        $"{model.Path}|copy={options.ContextCopy}|max={options.MaxTokens}|lines={options.MaxLines}|multiline={options.Multiline}");
}

/// <summary>An answer from the cache stage: its text, who wrote it, "typed-through" or "cache", and the cache key it was found under.</summary>
internal sealed record Recalled(string Text, SuggestionOrigin Origin, string Source, string CacheKey);

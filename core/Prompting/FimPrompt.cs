namespace CodeAssist.Server.Prompting;

/// <summary>
/// A model's FIM prompt for a prefix and a suffix: the template's parts, and the text token healing cut off the end of
/// the prefix, which the generation must begin with.
/// </summary>
/// <param name="Parts">Markers and text in the template's order.</param>
/// <param name="Healed">The prefix's tail left out of the prompt (trailing whitespace, or a partial word with its space).</param>
public sealed record FimPrompt(IReadOnlyList<PromptPart> Parts, string Healed)
{
    // Longer words are left alone: the model has likely seen them split the same way.
    private const int MaxHealedWord = 24;

    /// <summary>The prompt for <paramref name="prefix"/> and <paramref name="suffix"/> in <paramref name="template"/>, healed.</summary>
    /// <remarks>
    /// Token healing: a prompt that ends in whitespace or in part of a word splits a token the model saw whole in
    /// training (indentation belongs with the next word, " va" with "lidator"), so that tail is cut off here and the
    /// output is made to start with it.
    /// </remarks>
    public static FimPrompt Build(FimTemplate template, string prefix, string suffix) => Build(template, prefix, suffix, null, null);

    /// <summary>
    /// The prompt with <paramref name="snippets"/> from other files in front (<see cref="PromptSnippet"/>): in the family's
    /// repository format when it has one and the model has its tokens (<paramref name="hasToken"/>) — each snippet after a
    /// file separator and its module, then a separator and <paramref name="file"/>, the current file, then the FIM
    /// prompt — else as a comment header at the start of the prefix. Snippets come first and in a stable order, so the
    /// prompt's start (and the KV cache) stays put while the user types.
    /// </summary>
    public static FimPrompt Build(FimTemplate template, string prefix, string suffix, PromptSnippets? snippets, Func<string, bool>? hasToken) =>
        Build(template, prefix, suffix, snippets, hasToken, heal: true);

    /// <summary>
    /// The prompt as one string with markers written out, for a server that takes it whole (a remote model in client FIM
    /// mode): <paramref name="snippets"/> in front as <see cref="Build(FimTemplate, string, string, PromptSnippets?, Func{string, bool}?)"/>
    /// puts them — in the repository format with <paramref name="repositoryFormat"/>, else as a comment header — but
    /// not healed (a server's output cannot be made to start with the cut text), and with the family's control texts
    /// taken out of the document's text and the snippets' (<see cref="FimTemplate.WithoutControlTexts"/>).
    /// </summary>
    public static string Render(FimTemplate template, string prefix, string suffix, PromptSnippets? snippets, bool repositoryFormat)
    {
        ArgumentNullException.ThrowIfNull(template);
        var clean = snippets is null ? null : snippets with
        {
            Items = [.. snippets.Items.Select(s => s with { Text = template.WithoutControlTexts(s.Text) })],
            Repository = template.WithoutControlTexts(snippets.Repository),
            File = template.WithoutControlTexts(snippets.File),
        };
        var prompt = Build(
            template, template.WithoutControlTexts(prefix), template.WithoutControlTexts(suffix), clean, repositoryFormat ? static _ => true : null, heal: false);
        return string.Concat(prompt.Parts.Select(p => p.Value));
    }

    private static FimPrompt Build(FimTemplate template, string prefix, string suffix, PromptSnippets? snippets, Func<string, bool>? hasToken, bool heal)
    {
        ArgumentNullException.ThrowIfNull(template);
        var cut = heal ? HealingCut(prefix) : prefix.Length;
        var healed = prefix[..cut];
        if (snippets is not { Items.Count: > 0 })
        {
            return new FimPrompt(template.Build(healed, suffix), prefix[cut..]);
        }

        if (template.RepoMarkers is not { } markers || hasToken is null || !hasToken(markers.RepoName) || !hasToken(markers.FileSeparator))
        {
            return new FimPrompt(template.Build(CommentHeader(snippets) + healed, suffix), prefix[cut..]);
        }

        var parts = new List<PromptPart> { PromptPart.Marker(markers.RepoName), PromptPart.Text(snippets.Repository + "\n") };
        foreach (var snippet in snippets.Items)
        {
            parts.Add(PromptPart.Marker(markers.FileSeparator));
            parts.Add(PromptPart.Text(ModulePath(snippet.Source) + "\n" + snippet.Text.TrimEnd('\n') + "\n"));
        }

        parts.Add(PromptPart.Marker(markers.FileSeparator));
        parts.Add(PromptPart.Text(snippets.File + "\n"));
        parts.AddRange(template.Build(healed, suffix));
        return new FimPrompt(parts, prefix[cut..]);
    }

    /// <summary>The snippets as Python comments, for models without a repository format: a header the prefix starts with.</summary>
    public static string CommentHeader(PromptSnippets snippets)
    {
        ArgumentNullException.ThrowIfNull(snippets);
        var header = new System.Text.StringBuilder();
        foreach (var snippet in snippets.Items)
        {
            header.Append("# from ").Append(snippet.Source).Append(":\n");
            foreach (var line in snippet.Text.TrimEnd('\n').Split('\n'))
            {
                header.Append("#   ").Append(line).Append('\n');
            }
        }

        return header.Append('\n').ToString();
    }

    /// <summary>A module as a file path relative to the repository (shop.models → shop/models.py; relative ones keep their dots' meaning as ../).</summary>
    public static string ModulePath(string module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var level = module.TakeWhile(c => c == '.').Count();
        var path = module[level..].Replace('.', '/');
        var up = level <= 1 ? string.Empty : string.Concat(Enumerable.Repeat("../", level - 1));
        return up + (path.Length == 0 ? "__init__" : path) + ".py";
    }

    /// <summary>
    /// Where token healing cuts the prefix: before its trailing whitespace; or, when it ends in a word,
    /// before that word and the one space in front of it (byte-level BPE keeps " word" as one token).
    /// </summary>
    public static int HealingCut(string prefix)
    {
        var cut = prefix.Length;
        while (cut > 0 && char.IsWhiteSpace(prefix[cut - 1]))
        {
            cut--;
        }

        if (cut < prefix.Length)
        {
            return cut;
        }

        while (cut > 0 && prefix.Length - cut < MaxHealedWord && (char.IsLetterOrDigit(prefix[cut - 1]) || prefix[cut - 1] == '_'))
        {
            cut--;
        }

        if (cut > 0 && cut < prefix.Length && prefix[cut - 1] == ' ')
        {
            cut--;
        }

        return cut;
    }
}

/// <summary>Snippets for one prompt, with the names the repository format needs.</summary>
/// <param name="Items">The snippets, in a stable order.</param>
/// <param name="Repository">The repository's name (the workspace folder's).</param>
/// <param name="File">The current file's path in the repository.</param>
public sealed record PromptSnippets(IReadOnlyList<PromptSnippet> Items, string Repository, string File);

namespace CodeAssist.Server.Prompting;

/// <summary>
/// Text from another file of the workspace put in front of the prompt: the definitions of a name the current file
/// imports and uses near the cursor (signatures, docstrings' first lines, constants).
/// </summary>
/// <param name="Source">Where it comes from, as the import spells the module (<c>shop.models</c>, <c>.models</c>).</param>
/// <param name="Text">The definitions, as Python text.</param>
public sealed record PromptSnippet(string Source, string Text);

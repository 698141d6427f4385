namespace CodeAssist.Server.Inference;

/// <summary>The text a request's prompt is built from: what comes before the cursor and what comes after it.</summary>
/// <param name="Prefix">The text before the cursor, as the request gave it to the model.</param>
/// <param name="Suffix">The text after the cursor.</param>
public sealed record PromptText(string Prefix, string Suffix);

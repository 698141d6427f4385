namespace CodeAssist.Server.Inference;

/// <summary>
/// Text beyond the prompt that the copy model may copy from (the current file outside the window, definitions the file
/// imports, recently edited text elsewhere), with how many tokens must match before it counts: a distant source needs a
/// longer match than the prompt, or many one-token matches drown the useful ones.
/// </summary>
/// <param name="Text">The text; tokenized by the model that copies from it.</param>
/// <param name="MinMatch">The fewest tokens of the history's tail that must match in it.</param>
/// <param name="Name">What it is, for statistics: <c>file</c>, <c>imports</c>, <c>edits</c>.</param>
public sealed record CopySource(string Text, int MinMatch, string Name);

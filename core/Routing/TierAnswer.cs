using CodeAssist.Server.Inference;

namespace CodeAssist.Server.Routing;

/// <summary>One tier's post-processed answer: the text to insert, what the model generated, and which model it was.</summary>
public sealed record TierAnswer(string Text, ModelCompletion Generation, ModelDescription Model);

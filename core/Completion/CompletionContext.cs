using CodeAssist.Server.Configuration;
using CodeAssist.Server.Inference;
using CodeAssist.Server.Prompting;
using CodeAssist.Server.Python;

namespace CodeAssist.Server.Completion;

/// <summary>What the stages before the model know about one request: where the cursor is, the text around it, and what it starts.</summary>
/// <param name="DocumentKey">The document (its uri; <c>eval://…</c> for evaluation points).</param>
/// <param name="CursorOffset">The cursor's offset in the document.</param>
/// <param name="Prefix">The text before the cursor (a window of it).</param>
/// <param name="Suffix">The text after the cursor (a window of it).</param>
/// <param name="Invoked">The user asked explicitly.</param>
/// <param name="Options">The settings in force.</param>
/// <param name="Run">Which stages and tiers this run uses.</param>
/// <param name="IndentStyle">The file's indentation.</param>
/// <param name="Block">The block the cursor is in, analysed once for the stop conditions and the post-processing.</param>
/// <param name="Multiline">Whether the answer may span several lines.</param>
/// <param name="CopySources">What the copy model may copy from beyond the prompt (the workspace part of the context stage).</param>
/// <param name="Snippets">Definitions from other files the prompt may start with, found when a model that takes them asks (see <see cref="ContextOptions.PromptSnippets"/>).</param>
/// <param name="Modules">The workspace's modules the document imports or sits beside, with the names each binds, for the check stage (none without the workspace).</param>
internal sealed record CompletionContext(
    string DocumentKey,
    int CursorOffset,
    string Prefix,
    string Suffix,
    bool Invoked,
    CodeAssistOptions Options,
    PipelineRun Run,
    IndentStyle IndentStyle,
    BlockContext Block,
    bool Multiline,
    IReadOnlyList<CopySource> CopySources,
    Lazy<PromptSnippets?>? Snippets = null,
    ModuleNames? Modules = null)
{
    /// <summary>
    /// The context stage: analyses the text around the cursor once, after the cheap answers, and takes the workspace's
    /// copy sources and module names (<see cref="Context.WorkspaceContext"/>; none for evaluation points).
    /// </summary>
    public static CompletionContext FromCurrentFile(
        string documentKey, int cursorOffset, string prefix, string suffix, bool invoked, CodeAssistOptions options, PipelineRun run,
        IReadOnlyList<CopySource>? copySources = null, Lazy<PromptSnippets?>? snippets = null, ModuleNames? modules = null)
    {
        var indentStyle = IndentStyle.Detect(prefix);
        var block = BlockContext.Analyze(prefix, suffix, indentStyle);
        var multiline = options.Multiline switch
        {
            MultilineMode.Always => true,
            MultilineMode.Never => false,
            _ => block.StartsBlock,
        };
        return new CompletionContext(documentKey, cursorOffset, prefix, suffix, invoked, options, run, indentStyle, block, multiline, copySources ?? [], snippets, modules);
    }
}

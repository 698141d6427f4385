using CodeAssist.Server.Completion;
using CodeAssist.Server.Protocol;
using StreamJsonRpc;

namespace CodeAssist.Server.Lsp.Handlers;

/// <summary>textDocument/inlineCompletion: ghost text at the cursor.</summary>
public sealed class InlineCompletionHandler(ServerLifecycle lifecycle, CompletionService completions)
{
    /// <summary>Answers with at most one item; an empty list when there is nothing useful.</summary>
    [JsonRpcMethod(LspMethods.TextDocumentInlineCompletion, UseSingleObjectParameterDeserialization = true)]
    public async Task<InlineCompletionList> InlineCompletionAsync(InlineCompletionParams request, CancellationToken cancellationToken)
    {
        using var inFlight = lifecycle.BeginRequest();
        var query = new CompletionQuery(
            request.TextDocument.Uri,
            request.Position.Line,
            request.Position.Character,
            lifecycle.Encoding,
            Invoked: request.Context.TriggerKind == InlineCompletionTriggerKind.Invoked);
        var result = await completions.CompleteAsync(query, cancellationToken).ConfigureAwait(false);
        if (result.Text.Length == 0)
        {
            return new InlineCompletionList { Items = [] };
        }

        var cursor = new Protocol.Range { Start = request.Position, End = request.Position };
        return new InlineCompletionList
        {
            Items =
            [
                new InlineCompletionItem
                {
                    InsertText = result.Text,
                    Range = cursor,
                    Command = Command.Create("CodeAssist: accepted", ServerCommands.Accepted, result.RequestId),
                },
            ],
        };
    }
}

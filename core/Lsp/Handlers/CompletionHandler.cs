using CodeAssist.Server.Completion;
using CodeAssist.Server.Protocol;
using StreamJsonRpc;

namespace CodeAssist.Server.Lsp.Handlers;

/// <summary>textDocument/completion: the same engine as one list item, for editors without inline completion.</summary>
public sealed class CompletionHandler(ServerLifecycle lifecycle, CompletionService completions)
{
    /// <summary>Answers with one item whose textEdit inserts the completion at the cursor.</summary>
    [JsonRpcMethod(LspMethods.TextDocumentCompletion, UseSingleObjectParameterDeserialization = true)]
    public async Task<CompletionList> CompletionAsync(CompletionParams request, CancellationToken cancellationToken)
    {
        using var inFlight = lifecycle.BeginRequest();
        var query = new CompletionQuery(
            request.TextDocument.Uri,
            request.Position.Line,
            request.Position.Character,
            lifecycle.Encoding,
            Invoked: request.Context?.TriggerKind is null or CompletionTriggerKind.Invoked);
        var result = await completions.CompleteAsync(query, cancellationToken).ConfigureAwait(false);
        if (result.Text.Length == 0)
        {
            return new CompletionList { IsIncomplete = true, Items = [] };
        }

        var firstLine = result.Text.Split('\n', 2)[0].Trim();
        return new CompletionList
        {
            // Incomplete: the next keystroke asks again, so the suggestion follows the typing.
            IsIncomplete = true,
            Items =
            [
                new CompletionItem
                {
                    Label = firstLine.Length > 0 ? firstLine : result.Text.Trim(),
                    Kind = CompletionItemKind.Snippet,
                    Detail = $"CodeAssist ({result.Model})",
                    InsertTextFormat = InsertTextFormat.PlainText,
                    TextEdit = new TextEdit { Range = new Protocol.Range { Start = request.Position, End = request.Position }, NewText = result.Text },
                    SortText = "0",
                    Command = Command.Create("CodeAssist: accepted", ServerCommands.Accepted, result.RequestId),
                },
            ],
        };
    }
}

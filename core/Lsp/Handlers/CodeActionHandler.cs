using System.Text.Json;
using CodeAssist.Server.CodeActions;
using CodeAssist.Server.Protocol;
using StreamJsonRpc;

namespace CodeAssist.Server.Lsp.Handlers;

/// <summary>textDocument/codeAction: the Python actions a model can write, without their edits (see <see cref="CodeActionResolveHandler"/>).</summary>
public sealed class CodeActionHandler(ServerLifecycle lifecycle, CodeActionService actions)
{
    /// <summary>Answers with the actions for the range's start line; each carries only <see cref="CodeActionData"/>.</summary>
    [JsonRpcMethod(LspMethods.TextDocumentCodeAction, UseSingleObjectParameterDeserialization = true)]
    public CodeAction[] CodeAction(CodeActionParams request)
    {
        lifecycle.ThrowIfNotServing();
        var uri = request.TextDocument.Uri;
        var offers = actions.Offer(uri, request.Range.Start.Line, request.Context.Only);
        return offers.Actions.Select(offer => new CodeAction
        {
            Title = offer.Title,
            Kind = offer.Kind,
            Data = JsonSerializer.SerializeToElement(
                new CodeActionData { Uri = uri, Version = offers.Version, Action = offer.Action, Position = new Position { Line = offer.Line, Character = 0 }, Alternative = offer.Alternative },
                LspJsonContext.Default.CodeActionData),
        }).ToArray();
    }
}

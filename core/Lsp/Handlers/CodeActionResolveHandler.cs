using System.Text.Json;
using CodeAssist.Server.CodeActions;
using CodeAssist.Server.Logging;
using CodeAssist.Server.Protocol;
using Microsoft.Extensions.Logging;
using StreamJsonRpc;

namespace CodeAssist.Server.Lsp.Handlers;

/// <summary>codeAction/resolve: generates the edit of an action offered by <see cref="CodeActionHandler"/>.</summary>
public sealed class CodeActionResolveHandler(ServerLifecycle lifecycle, CodeActionService actions, ILogger<CodeActionResolveHandler> logger)
{
    private long _nextId;

    /// <summary>
    /// Answers the action with its edit (<c>documentChanges</c> when the client takes them, else <c>changes</c>).
    /// A changed document or a model that writes nothing usable is RequestFailed; a cancelled request, RequestCancelled.
    /// Its log lines carry an id of their own (<c>a1</c>, <c>a2</c>, …).
    /// </summary>
    [JsonRpcMethod(LspMethods.CodeActionResolve, UseSingleObjectParameterDeserialization = true)]
    public async Task<CodeAction> ResolveAsync(CodeAction request, CancellationToken cancellationToken)
    {
        using var inFlight = lifecycle.BeginRequest();
        using var scope = RequestLog.Begin(logger, $"a{Interlocked.Increment(ref _nextId)}");
        var data = Data(request);
        CodeActionEdit edit;
        try
        {
            edit = await actions.ResolveAsync(data, cancellationToken).ConfigureAwait(false);
        }
        catch (CodeActionFailedException ex)
        {
            throw new LocalRpcException($"{request.Title}: {ex.Message}") { ErrorCode = LspErrorCodes.RequestFailed };
        }

        return request with { Edit = WorkspaceEditFor(edit) };
    }

    private static CodeActionData Data(CodeAction request)
    {
        try
        {
            if (request.Data is { ValueKind: JsonValueKind.Object } data && data.Deserialize(LspJsonContext.Default.CodeActionData) is { } parsed)
            {
                return parsed;
            }
        }
        catch (JsonException)
        {
        }

        throw new LocalRpcException("codeAction/resolve needs the data of an action this server offered") { ErrorCode = LspErrorCodes.InvalidParams };
    }

    private WorkspaceEdit WorkspaceEditFor(CodeActionEdit edit)
    {
        var document = edit.Document;
        var start = document.PositionAt(edit.Start, lifecycle.Encoding);
        var end = document.PositionAt(edit.End, lifecycle.Encoding);
        var textEdit = new TextEdit
        {
            Range = new Protocol.Range
            {
                Start = new Position { Line = start.Line, Character = start.Character },
                End = new Position { Line = end.Line, Character = end.Character },
            },
            NewText = edit.NewText,
        };
        return lifecycle.Client?.Capabilities.Workspace?.WorkspaceEdit?.DocumentChanges == true
            ? new WorkspaceEdit
            {
                DocumentChanges = [new TextDocumentEdit { TextDocument = new OptionalVersionedTextDocumentIdentifier { Uri = document.Uri, Version = document.Version }, Edits = [textEdit] }],
            }
            : new WorkspaceEdit { Changes = new Dictionary<string, IReadOnlyList<TextEdit>>(StringComparer.Ordinal) { [document.Uri] = [textEdit] } };
    }
}

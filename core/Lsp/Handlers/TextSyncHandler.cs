using CodeAssist.Server.Completion;
using CodeAssist.Server.Documents;
using CodeAssist.Server.Protocol;
using Microsoft.Extensions.Logging;
using StreamJsonRpc;

namespace CodeAssist.Server.Lsp.Handlers;

/// <summary>textDocument/didOpen, didChange, didClose and didSave.</summary>
public sealed class TextSyncHandler(ServerLifecycle lifecycle, DocumentStore documents, CompletionCache cache, ILogger<TextSyncHandler> logger)
{
    /// <summary>Opens a document.</summary>
    [JsonRpcMethod(LspMethods.TextDocumentDidOpen, UseSingleObjectParameterDeserialization = true)]
    public void DidOpen(DidOpenTextDocumentParams request)
    {
        if (!lifecycle.AcceptsNotifications)
        {
            return;
        }

        var item = request.TextDocument;
        documents.Open(item.Uri, item.LanguageId, item.Version, item.Text);
        logger.LogDebug("Opened {Uri} ({LanguageId}, version {Version}, {Length} chars)", item.Uri, item.LanguageId, item.Version, item.Text.Length);
    }

    /// <summary>Applies incremental or full changes in order.</summary>
    [JsonRpcMethod(LspMethods.TextDocumentDidChange, UseSingleObjectParameterDeserialization = true)]
    public void DidChange(DidChangeTextDocumentParams request)
    {
        if (!lifecycle.AcceptsNotifications)
        {
            return;
        }

        var changes = new DocumentChange[request.ContentChanges.Count];
        for (var i = 0; i < changes.Length; i++)
        {
            var change = request.ContentChanges[i];
            changes[i] = change.Range is { } range
                ? DocumentChange.Incremental(range.Start.Line, range.Start.Character, range.End.Line, range.End.Character, change.Text)
                : DocumentChange.Full(change.Text);
        }

        try
        {
            documents.Change(request.TextDocument.Uri, request.TextDocument.Version, changes, lifecycle.Encoding);
        }
        catch (DocumentChangeException ex)
        {
            // The editor and we disagree about the text; completions for it would be wrong, so say so loudly.
            logger.LogWarning("Change to {Uri} rejected: {Reason}", request.TextDocument.Uri, ex.Message);
            cache.Forget(request.TextDocument.Uri);
        }
    }

    /// <summary>Forgets a closed document.</summary>
    [JsonRpcMethod(LspMethods.TextDocumentDidClose, UseSingleObjectParameterDeserialization = true)]
    public void DidClose(DidCloseTextDocumentParams request)
    {
        if (!lifecycle.AcceptsNotifications)
        {
            return;
        }

        documents.Close(request.TextDocument.Uri);
        cache.Forget(request.TextDocument.Uri);
    }

    /// <summary>Saves change nothing we hold.</summary>
    [JsonRpcMethod(LspMethods.TextDocumentDidSave, UseSingleObjectParameterDeserialization = true)]
    public void DidSave(DidSaveTextDocumentParams request)
    {
    }
}

using CodeAssist.Server.Completion;
using CodeAssist.Server.Context;
using CodeAssist.Server.Documents;
using CodeAssist.Server.Protocol;
using Microsoft.Extensions.Logging;
using StreamJsonRpc;

namespace CodeAssist.Server.Lsp.Handlers;

/// <summary>textDocument/didOpen, didChange, didClose and didSave.</summary>
public sealed class TextSyncHandler(
    ServerLifecycle lifecycle, DocumentStore documents, CompletionCache cache, RecentEdits edits, WorkspaceContext workspace, ILogger<TextSyncHandler> logger)
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
        try
        {
            documents.Open(item.Uri, item.LanguageId, item.Version, item.Text);
        }
        catch (DocumentChangeException ex)
        {
            logger.LogWarning("{Uri} (version {Version}) not kept: {Reason}. No completions or code actions for it until it is opened again within the limit", item.Uri, item.Version, ex.Message);
            cache.Forget(item.Uri);
            return;
        }

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

        var uri = request.TextDocument.Uri;
        try
        {
            var outcome = documents.Change(uri, request.TextDocument.Version, changes, lifecycle.Encoding);
            if (outcome == DocumentChangeOutcome.Applied && request.ContentChanges.Count > 0 && request.ContentChanges[^1].Range is { } edited)
            {
                edits.Record(uri, edited.Start.Line);
            }

            if (outcome == DocumentChangeOutcome.Resynced)
            {
                logger.LogInformation("{Uri} is back in sync at version {Version}: a change sent its whole text", uri, request.TextDocument.Version);
            }
            else if (outcome == DocumentChangeOutcome.Skipped)
            {
                // Warned once when it went out of sync; each keystroke after that is no news.
                logger.LogDebug("Change to {Uri} (version {Version}) skipped: the document is out of sync", uri, request.TextDocument.Version);
            }
        }
        catch (DocumentChangeException ex)
        {
            // The editor and we disagree about the text; completions for it would be wrong, so say so loudly, once.
            logger.LogWarning(
                "Change to {Uri} (version {Version}, ours {CurrentVersion}) not applied: {Reason}. The document is out of sync: no completions or code actions for it until it is opened again or a change sends its whole text",
                uri, ex.Version, (object?)ex.CurrentVersion ?? "none", ex.Message);
            cache.Forget(uri);
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
        workspace.Forget(request.TextDocument.Uri);
    }

    /// <summary>Saves change nothing we hold.</summary>
    [JsonRpcMethod(LspMethods.TextDocumentDidSave, UseSingleObjectParameterDeserialization = true)]
    public void DidSave(DidSaveTextDocumentParams request)
    {
    }
}

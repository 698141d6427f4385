using CodeAssist.Server.Documents;

namespace CodeAssist.Server.Completion;

/// <summary>The snapshot stage's result: the document, the cursor's offset in it, and windows of the text before and after.</summary>
internal readonly record struct CursorText(string DocumentKey, int CursorOffset, string Prefix, string Suffix)
{
    /// <summary>
    /// The snapshot stage: reads the document as the editor had it when it asked (before the request's first await,
    /// handlers run in message order), about <paramref name="contextTokens"/> tokens' worth of text on either side.
    /// Returns the reason for no answer when the document or position is unknown, or the document is out of sync
    /// (<paramref name="outOfSync"/> then says why), else null.
    /// </summary>
    public static string? TryRead(
        DocumentStore documents, CompletionQuery query, int contextTokens, out CursorText text, out DocumentSnapshot? snapshot, out DocumentSyncLoss? outOfSync)
    {
        text = default;
        if (!documents.TryGet(query.Uri, out snapshot, out outOfSync))
        {
            return outOfSync is null ? "unknown-document" : "out-of-sync";
        }

        if (!snapshot.TryGetOffset(query.Line, query.Character, query.Encoding, out var offset))
        {
            return "outside-document";
        }

        var windowChars = contextTokens * 8;
        var prefix = snapshot.GetTextBefore(offset, windowChars).ToString();
        var suffix = snapshot.GetTextAfter(offset, windowChars / 3).ToString();
        text = new CursorText(query.Uri, offset, prefix, suffix);
        return null;
    }
}

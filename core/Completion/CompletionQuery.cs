using CodeAssist.Server.Documents;

namespace CodeAssist.Server.Completion;

/// <summary>A completion request in protocol-neutral terms.</summary>
/// <param name="Uri">The document.</param>
/// <param name="Line">Zero-based line.</param>
/// <param name="Character">Zero-based character in <paramref name="Encoding"/> units.</param>
/// <param name="Encoding">How <paramref name="Character"/> counts.</param>
/// <param name="Invoked">The user asked explicitly (no debounce).</param>
public sealed record CompletionQuery(string Uri, int Line, int Character, PositionEncoding Encoding, bool Invoked);

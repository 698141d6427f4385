namespace CodeAssist.Server.Logging;

/// <summary>
/// llama.cpp reports an aborted decode with error lines (the graph compute "failed", the decode "failed"), though
/// aborting is how every superseded keystroke's request ends. While a decode runs on a thread, the decoder names the flag
/// that says whether it asked for the abort; error lines from that thread while the flag is set are expected and are
/// logged at debug, so the editor's output shows only real errors.
/// </summary>
public static class ExpectedNativeErrors
{
    [ThreadStatic]
    private static Func<bool>? _aborting;

    /// <summary>True on a thread whose running decode was asked to abort.</summary>
    public static bool AreExpected => _aborting?.Invoke() == true;

    /// <summary>Marks the decode that runs on this thread until the scope ends; <paramref name="aborting"/> says whether it was asked to abort.</summary>
    public static Scope WhileDecoding(Func<bool> aborting)
    {
        var previous = _aborting;
        _aborting = aborting;
        return new Scope(previous);
    }

    /// <summary>Restores the thread's previous decode (none, usually) when disposed.</summary>
    public readonly struct Scope(Func<bool>? previous) : IDisposable
    {
        /// <inheritdoc />
        public void Dispose() => _aborting = previous;
    }
}

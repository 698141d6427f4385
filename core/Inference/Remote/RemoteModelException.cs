namespace CodeAssist.Server.Inference.Remote;

/// <summary>A remote model call that failed: unreachable, slow, refused, or answered with something unusable.</summary>
public sealed class RemoteModelException : Exception
{
    /// <summary>The circuit breaker is open: the call never left this process.</summary>
    public const string BreakerOpen = "breaker-open";

    /// <summary>No reply within the timeout.</summary>
    public const string Timeout = "timeout";

    /// <summary>The connection failed or dropped (refused, reset, reply cut short).</summary>
    public const string Connection = "connection";

    /// <summary>The reply was not the JSON the protocol documents (malformed, truncated, text field missing).</summary>
    public const string BadReply = "bad-reply";

    /// <summary>The reply was longer than the cap.</summary>
    public const string TooLarge = "too-large";

    /// <summary>Creates the exception; <paramref name="endpoint"/> must already be cut to what may be shown (<see cref="RemoteModelOptions.Display"/>).</summary>
    public RemoteModelException(RemoteKind kind, string endpoint, string reason, string message, int? statusCode = null, Exception? inner = null)
        : base($"{RemoteModelOptions.KindName(kind)} at {endpoint}: {message}", inner)
    {
        Kind = kind;
        Endpoint = endpoint;
        Reason = reason;
        StatusCode = statusCode;
    }

    /// <summary>The protocol of the failed call.</summary>
    public RemoteKind Kind { get; }

    /// <summary>The endpoint as it may be shown: scheme, host and port, never credentials, path or query.</summary>
    public string Endpoint { get; }

    /// <summary>A short stable code for statistics: one of the constants here, or <c>http-NNN</c> for an error status.</summary>
    public string Reason { get; }

    /// <summary>The HTTP status when the server answered with an error.</summary>
    public int? StatusCode { get; }

    /// <summary>The reason code for an HTTP error status.</summary>
    public static string HttpStatus(int statusCode) => $"http-{statusCode}";
}

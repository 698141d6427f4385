using System.Globalization;
using System.Text.Json;
using CodeAssist.Server.Protocol;
using StreamJsonRpc;

namespace CodeAssist.Server.Lsp.Framing;

/// <summary>
/// The JSON-RPC envelope of one message body (<c>jsonrpc</c>, <c>id</c>, <c>method</c>, <c>params</c>), checked before
/// StreamJsonRpc sees it, so that a broken message is answered with the right code and — whenever the id can be read —
/// with its id: StreamJsonRpc alone answers a request whose <c>params</c> is <c>5</c> with a parse error and id null, and
/// the client waits forever.
/// </summary>
/// <param name="Id">The request's id when one could be read (a number or a string); null otherwise.</param>
/// <param name="Method">The method, when it is a string.</param>
/// <param name="IsNotification">A message with a method and no id at all: it is never answered.</param>
/// <param name="ErrorCode">The JSON-RPC error code of what is wrong; null when the envelope is sound.</param>
/// <param name="Problem">What is wrong, for the answer and the log.</param>
public sealed record MessageEnvelope(RequestId? Id, string? Method, bool IsNotification, int? ErrorCode, string? Problem)
{
    /// <summary>Whether the message goes on to StreamJsonRpc.</summary>
    public bool IsSound => ErrorCode is null;

    /// <summary>Whether the problem is answered: everything but a notification's (nobody waits for those).</summary>
    public bool IsAnswered => ErrorCode is not null && !IsNotification;

    /// <summary>
    /// Checks <paramref name="body"/>; with <paramref name="complete"/> false it is only the start of a body (of a message
    /// too large to read), and what could be read of the id is all that counts.
    /// </summary>
    public static MessageEnvelope Inspect(ReadOnlySpan<byte> body, int maxDepth, bool complete = true)
    {
        var scan = new Scan();
        try
        {
            // The reader's own limit sits above ours so that ours is the one that reports.
            var reader = new Utf8JsonReader(body, complete, new JsonReaderState(new JsonReaderOptions { MaxDepth = maxDepth + 2 }));
            if (!reader.Read())
            {
                return scan.Fail(LspErrorCodes.ParseError, "an empty message");
            }

            if (reader.TokenType == JsonTokenType.StartArray)
            {
                return scan.Fail(LspErrorCodes.InvalidRequest, "a batch (JSON array); LSP sends one message at a time");
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return scan.Fail(LspErrorCodes.InvalidRequest, $"a JSON {Describe(reader.TokenType)}, not a message object");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                if (!reader.Read())
                {
                    break;
                }

                scan.Property(name, ref reader);
                if (!SkipValue(ref reader, maxDepth))
                {
                    return scan.Fail(LspErrorCodes.InvalidRequest, string.Create(CultureInfo.InvariantCulture, $"JSON nested deeper than {maxDepth} levels"));
                }
            }

            if (complete && reader.Read())
            {
                return scan.Fail(LspErrorCodes.ParseError, "text after the message");
            }
        }
        catch (JsonException ex)
        {
            return scan.Fail(LspErrorCodes.ParseError, $"not JSON: {ex.Message}");
        }
        catch (InvalidOperationException)
        {
            // The reader does not check UTF-8 inside strings; reading one (a name, the id, the method, jsonrpc) does,
            // and before this catch a byte such as 0xFF there ended the session.
            return scan.Fail(LspErrorCodes.ParseError, "not JSON: a string that is not valid UTF-8");
        }

        return complete ? scan.Verdict() : scan.Fail(LspErrorCodes.InvalidRequest, "incomplete");
    }

    /// <summary>Moves past the value the reader is on; false when it nests deeper than allowed.</summary>
    private static bool SkipValue(ref Utf8JsonReader reader, int maxDepth)
    {
        if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
        {
            return true;
        }

        var depth = reader.CurrentDepth;
        while (reader.Read())
        {
            if (reader.CurrentDepth > maxDepth)
            {
                return false;
            }

            if (reader.CurrentDepth == depth && reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray)
            {
                return true;
            }
        }

        return true;
    }

    private static string Describe(JsonTokenType type) => type switch
    {
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        JsonTokenType.True or JsonTokenType.False => "boolean",
        JsonTokenType.Null => "null",
        JsonTokenType.StartObject => "object",
        JsonTokenType.StartArray => "array",
        _ => type.ToString().ToLowerInvariant(),
    };

    /// <summary>What the scan has seen so far; a failure keeps the id read before it.</summary>
    private sealed class Scan
    {
        private RequestId? _id;
        private bool _hasId;
        private string? _badId;
        private string? _method;
        private string? _badMethod;
        private string? _badVersion;
        private bool _hasVersion;
        private JsonTokenType? _params;
        private bool _isResponse;

        public void Property(string? name, ref Utf8JsonReader reader)
        {
            switch (name)
            {
                case "jsonrpc":
                    _hasVersion = true;
                    _badVersion = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("2.0") ? null : $"jsonrpc is {Value(ref reader)}, not \"2.0\"";
                    break;
                case "id":
                    _hasId = true;
                    if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var number))
                    {
                        _id = new RequestId(number);
                    }
                    else if (reader.TokenType == JsonTokenType.String)
                    {
                        _id = new RequestId(reader.GetString());
                    }
                    else if (reader.TokenType == JsonTokenType.Null)
                    {
                        _id = RequestId.Null;
                    }
                    else
                    {
                        _badId = $"id is {Value(ref reader)}; it must be an integer or a string";
                    }

                    break;
                case "method":
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        _method = reader.GetString();
                    }
                    else
                    {
                        _badMethod = $"method is {Value(ref reader)}; it must be a string";
                    }

                    break;
                case "params":
                    _params = reader.TokenType;
                    break;
                case "result" or "error":
                    _isResponse = true;
                    break;
            }
        }

        public MessageEnvelope Fail(int code, string problem) =>
            new(_id, _method, IsNotification: !_hasId && _method is not null, code, problem);

        public MessageEnvelope Verdict()
        {
            var problem = _badId ?? _badMethod ?? _badVersion ?? (!_hasVersion ? "jsonrpc \"2.0\" is missing" : null);
            if (problem is not null)
            {
                return Fail(LspErrorCodes.InvalidRequest, problem);
            }

            if (_method is null && !_isResponse)
            {
                return Fail(LspErrorCodes.InvalidRequest, "neither a method nor a result or error");
            }

            // null is lenient: JSON-RPC says omit params, but clients send "params": null for shutdown and exit.
            if (_method is not null && _params is { } kind && kind is not (JsonTokenType.StartObject or JsonTokenType.StartArray or JsonTokenType.Null))
            {
                return Fail(LspErrorCodes.InvalidParams, $"params of {_method} is a {Describe(kind)}; it must be an object or an array");
            }

            return new MessageEnvelope(_id, _method, !_hasId && _method is not null, null, null);
        }

        private static string Value(ref Utf8JsonReader reader) => reader.TokenType switch
        {
            JsonTokenType.String => $"the string \"{Short(reader.GetString())}\"",
            JsonTokenType.Number => $"the number {Short(Encoding(ref reader))}",
            _ => $"a {Describe(reader.TokenType)}",
        };

        private static string Encoding(ref Utf8JsonReader reader) => System.Text.Encoding.UTF8.GetString(reader.ValueSpan);

        private static string Short(string? text) => text is null ? string.Empty : text.Length > 40 ? text[..40] + "…" : text;
    }
}

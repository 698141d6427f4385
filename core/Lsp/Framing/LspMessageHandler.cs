using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using CodeAssist.Server.Protocol;
using Microsoft.Extensions.Logging;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace CodeAssist.Server.Lsp.Framing;

/// <summary>
/// LSP's framing (Content-Length headers) read so that no input ends the session silently: junk is skipped up to the next
/// header, a delimited frame with a bad header is skipped with its body, a body that is not a sound JSON-RPC message is
/// answered with the right error code and its id when the id can be read, a message over the size limit is refused and
/// skipped without being buffered, a body whose declared length swallowed the next frame gives that frame back, and a
/// response to no request of ours is dropped (StreamJsonRpc would end the session on it).
/// Only the end of the input (or a header that can never end) ends the session, and that is logged with its reason.
/// Writing is StreamJsonRpc's, unchanged.
/// </summary>
public sealed class LspMessageHandler(Stream output, Stream input, IJsonRpcMessageFormatter formatter, MessageLimits limits, ILogger logger)
    : HeaderDelimitedMessageHandler(output, input, formatter)
{
    private static readonly byte[] Marker = Encoding.ASCII.GetBytes(FrameHeader.ContentLengthName + ":");

    // Ids of our requests to the client still waiting for their answer. StreamJsonRpc ends the session on a response
    // to anything else ("a response was received without a request having been sent"), so such a response is dropped.
    private readonly ConcurrentDictionary<RequestId, byte> _awaiting = new();

    /// <inheritdoc />
    protected override void Write(JsonRpcMessage content, CancellationToken cancellationToken)
    {
        if (content is JsonRpcRequest { RequestId.IsEmpty: false } request)
        {
            _awaiting.TryAdd(request.RequestId, 0);
        }

        base.Write(content, cancellationToken);
    }

    /// <inheritdoc />
    protected override async ValueTask<JsonRpcMessage?> ReadCoreAsync(CancellationToken cancellationToken)
    {
        var reader = Reader ?? throw new InvalidOperationException("The handler has no input.");
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (buffer.IsEmpty && result.IsCompleted)
            {
                reader.AdvanceTo(buffer.End);
                return null;
            }

            var window = buffer.Slice(0, Math.Min(buffer.Length, limits.MaxHeaderBytes + 4)).ToArray();
            var header = FrameHeader.Parse(window, limits.MaxHeaderBytes);
            switch (header.Kind)
            {
                case FrameHeaderKind.NeedMore when result.IsCompleted:
                    logger.LogWarning("The input ended inside a message header ({Bytes} bytes): the session ends", buffer.Length);
                    reader.AdvanceTo(buffer.End);
                    return null;
                case FrameHeaderKind.NeedMore:
                    reader.AdvanceTo(buffer.Start, buffer.End);
                    continue;
                case FrameHeaderKind.Garbage:
                    if (header.Problem is not null)
                    {
                        logger.LogWarning("Skipped input that is not a message: {Problem}", header.Problem);
                    }

                    reader.AdvanceTo(buffer.GetPosition(header.Consumed));
                    continue;
                case FrameHeaderKind.BadHeader:
                    reader.AdvanceTo(buffer.GetPosition(header.Consumed));
                    logger.LogWarning("Skipped a message with a bad header: {Problem}", header.Problem);
                    if (header.ContentLength is > 0 and var skipped)
                    {
                        await DiscardAsync(reader, skipped, cancellationToken).ConfigureAwait(false);
                    }

                    continue;
            }

            reader.AdvanceTo(buffer.GetPosition(header.Consumed));
            var length = header.ContentLength ?? 0;
            if (length > limits.MaxMessageBytes)
            {
                await RefuseOversizedAsync(reader, length, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (await ReadBodyAsync(reader, (int)length, cancellationToken).ConfigureAwait(false) is not { } body)
            {
                return null;
            }

            if (await DeserializeAsync(body, cancellationToken).ConfigureAwait(false) is { } message)
            {
                if (message switch { JsonRpcResult r => r.RequestId, JsonRpcError e => e.RequestId, _ => (RequestId?)null } is { } answered
                    && !_awaiting.TryRemove(answered, out _))
                {
                    logger.LogWarning("Dropped a response with id {Id}: no request of ours has that id, or it was answered already", answered);
                    continue;
                }

                return message;
            }
        }
    }

    /// <summary>Reads a body of <paramref name="length"/> bytes; null (logged) when the input ends first.</summary>
    private async ValueTask<byte[]?> ReadBodyAsync(PipeReader reader, int length, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (buffer.Length < length)
            {
                if (result.IsCompleted)
                {
                    logger.LogWarning("The input ended inside a message ({Read} of {Length} bytes): the session ends", buffer.Length, length);
                    reader.AdvanceTo(buffer.End);
                    return null;
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                continue;
            }

            var body = buffer.Slice(0, length).ToArray();
            var used = length;

            // A Content-Length longer than its body swallows the start of the next frame; when the body is not JSON but a
            // sound message ends right before a header, that message is the body and the header is read again.
            var next = body.AsSpan().IndexOf(Marker);
            if (next > 0 && !MessageEnvelope.Inspect(body, limits.MaxDepth).IsSound)
            {
                var head = body.AsSpan(0, next).TrimEnd("\r\n"u8);
                if (MessageEnvelope.Inspect(head, limits.MaxDepth).IsSound)
                {
                    logger.LogWarning("A message's Content-Length ({Length}) ran into the next header; read the message as its first {Bytes} bytes", length, head.Length);
                    body = head.ToArray();
                    used = next;
                }
            }

            reader.AdvanceTo(buffer.GetPosition(used));
            return body;
        }
    }

    /// <summary>The message for StreamJsonRpc, or null when the body was refused (answered and logged here).</summary>
    private async ValueTask<JsonRpcMessage?> DeserializeAsync(byte[] body, CancellationToken cancellationToken)
    {
        var envelope = MessageEnvelope.Inspect(body, limits.MaxDepth);
        if (envelope.IsSound)
        {
            try
            {
                return Formatter.Deserialize(new ReadOnlySequence<byte>(body));
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or NotSupportedException or ArgumentException or DecoderFallbackException)
            {
                envelope = envelope with { ErrorCode = LspErrorCodes.ParseError, Problem = $"unreadable: {ex.Message}" };
            }
        }

        await RefuseAsync(envelope, cancellationToken).ConfigureAwait(false);
        return null;
    }

    /// <summary>Answers a message over the size limit (with its id when the first bytes name it) and skips its body.</summary>
    private async ValueTask RefuseOversizedAsync(PipeReader reader, long length, CancellationToken cancellationToken)
    {
        // Only what has arrived: a declared length far beyond what was sent must not make us wait for it.
        var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var start = result.Buffer.Slice(0, Math.Min(result.Buffer.Length, Math.Min(length, 4096))).ToArray();
        reader.AdvanceTo(result.Buffer.Start);
        var envelope = MessageEnvelope.Inspect(start, limits.MaxDepth, complete: false) with
        {
            ErrorCode = LspErrorCodes.InvalidRequest,
            Problem = string.Create(CultureInfo.InvariantCulture, $"a message of {length} bytes is over the limit of {limits.MaxMessageBytes} bytes"),
        };
        await RefuseAsync(envelope, cancellationToken).ConfigureAwait(false);
        await DiscardAsync(reader, length, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask RefuseAsync(MessageEnvelope envelope, CancellationToken cancellationToken)
    {
        logger.LogWarning("Refused a message{Method}: {Problem} (error {Code}{Answer})", envelope.Method is null ? string.Empty : " " + envelope.Method, envelope.Problem, envelope.ErrorCode, envelope.IsAnswered ? ", answered" : ", a notification: not answered");
        if (!envelope.IsAnswered)
        {
            return;
        }

        var error = new JsonRpcError
        {
            RequestId = envelope.Id is { IsEmpty: false } id ? id : RequestId.Null,
            Error = new JsonRpcError.ErrorDetail { Code = (JsonRpcErrorCode)envelope.ErrorCode!.Value, Message = envelope.Problem ?? "invalid message" },
        };
        await WriteAsync(error, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Drops <paramref name="length"/> bytes without buffering them, stopping early at a frame header: a declared length
    /// far beyond what was sent must not swallow the messages after it.
    /// </summary>
    private async ValueTask DiscardAsync(PipeReader reader, long length, CancellationToken cancellationToken)
    {
        var left = length;
        while (left > 0)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var chunk = buffer.Slice(0, Math.Min(buffer.Length, left));
            var header = chunk.Length > 0 ? chunk.ToArray().AsSpan().IndexOf(Marker) : -1;
            if (header >= 0)
            {
                logger.LogWarning("Stopped skipping a message body {Left} bytes early at the next header", left - header);
                reader.AdvanceTo(buffer.GetPosition(header));
                return;
            }

            left -= chunk.Length;
            reader.AdvanceTo(chunk.End);
            if (result.IsCompleted && left > 0)
            {
                return;
            }
        }
    }
}

using System.Text.Json;
using CodeAssist.Server.Protocol;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace CodeAssist.Server.Lsp;

/// <summary>
/// StreamJsonRpc's connection with LSP's error codes: params that fail to deserialize into a handler's
/// typed parameter are InvalidParams (-32602); StreamJsonRpc alone would answer its generic -32000.
/// </summary>
public sealed class LspJsonRpc(IJsonRpcMessageHandler handler) : JsonRpc(handler)
{
    /// <inheritdoc />
    protected override JsonRpcError.ErrorDetail CreateErrorDetails(JsonRpcRequest request, Exception exception)
    {
        var detail = base.CreateErrorDetails(request, exception);
        if (exception is JsonException)
        {
            detail.Code = (JsonRpcErrorCode)LspErrorCodes.InvalidParams;
            detail.Message = $"invalid params for {request.Method}: {exception.Message}";
            detail.Data = null;
        }

        return detail;
    }
}

/// <summary>
/// LSP framing (Content-Length headers) that survives a frame whose body is not a JSON-RPC message:
/// StreamJsonRpc would close the connection; we answer a parse error (-32700, id null) and read on.
/// </summary>
public sealed class TolerantHeaderDelimitedMessageHandler(Stream output, Stream input, IJsonRpcMessageFormatter formatter, Action<string> reportParseError)
    : HeaderDelimitedMessageHandler(output, input, formatter)
{
    /// <inheritdoc />
    protected override async ValueTask<JsonRpcMessage?> ReadCoreAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return await base.ReadCoreAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or NotSupportedException && !cancellationToken.IsCancellationRequested)
            {
                reportParseError(ex.Message);
                var error = new JsonRpcError
                {
                    RequestId = default,
                    Error = new JsonRpcError.ErrorDetail { Code = JsonRpcErrorCode.ParseError, Message = $"parse error: {ex.Message}" },
                };
                await WriteAsync(error, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}

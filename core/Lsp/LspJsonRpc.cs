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

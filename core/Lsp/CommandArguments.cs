using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CodeAssist.Server.Protocol;
using StreamJsonRpc;

namespace CodeAssist.Server.Lsp;

/// <summary>Reads the arguments of <c>workspace/executeCommand</c>; anything malformed is InvalidParams with a message for the user.</summary>
public static class CommandArguments
{
    /// <summary>The first argument as a string, or null when there is none or it is not a string.</summary>
    public static string? FirstString(ExecuteCommandParams request) =>
        request.Arguments is [{ ValueKind: JsonValueKind.String } first, ..] ? first.GetString() : null;

    /// <summary>The first argument as an object of <typeparamref name="T"/>; null when it is absent and <paramref name="optional"/>.</summary>
    public static T? Object<T>(ExecuteCommandParams request, JsonTypeInfo<T> type, bool optional)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Arguments is not [var first, ..] || first.ValueKind == JsonValueKind.Null)
        {
            return optional ? null : throw InvalidParams($"{request.Command} takes one argument: an object");
        }

        if (first.ValueKind != JsonValueKind.Object)
        {
            throw InvalidParams($"{request.Command} takes one argument: an object, not {first.ValueKind}");
        }

        try
        {
            return first.Deserialize(type);
        }
        catch (JsonException ex)
        {
            throw InvalidParams($"bad argument for {request.Command}: {ex.Message}");
        }
    }

    /// <summary>The error a command answers bad arguments with.</summary>
    public static LocalRpcException InvalidParams(string message) => new(message) { ErrorCode = LspErrorCodes.InvalidParams };
}

using System.Text.Json;
using System.Text.Json.Serialization;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace CodeAssist.Server.Protocol;

/// <summary>The one source-generated serializer context for every LSP message we send or receive.</summary>
/// <remarks>
/// <para>
/// Bind it to StreamJsonRpc with <see cref="CreateFormatter"/>, i.e.
/// <c>new SystemTextJsonFormatter { JsonSerializerOptions = LspJsonContext.Default.Options }</c>.
/// The setter of <see cref="SystemTextJsonFormatter.JsonSerializerOptions"/> copies the options it is given
/// (so the context's read-only options are fine) and then adds StreamJsonRpc's own converters (RequestId,
/// IProgress, exceptions, streams...). Assigning the whole options rather than only
/// <c>JsonSerializerOptions = { TypeInfoResolver = LspJsonContext.Default }</c> (StreamJsonRpc's AOT sample) matters:
/// the context's metadata is then built for the formatter's options, so the camelCase naming policy,
/// WhenWritingNull and RespectNullableAnnotations below would all be lost (tried: the server then required
/// "Capabilities" and wrote nulls).
/// </para>
/// <para>
/// StreamJsonRpc serializes its envelope (jsonrpc, id, method, error code and message) itself, with its own
/// internal context. Everything else goes through these options, and with a source-generated resolver every
/// such type must be listed here, including StreamJsonRpc's own:
/// <see cref="RequestId"/> (the id in $/cancelRequest, both directions; without it an incoming cancellation
/// is silently ignored), <see cref="CommonErrorData"/> (the error.data StreamJsonRpc attaches when a method
/// throws or its arguments do not match; without it the error cannot be written and StreamJsonRpc closes the
/// connection), both tried with a context lacking them,
/// and <see cref="object"/> (error data, null results, and values serialized by runtime type such as
/// <see cref="ProgressParams.Value"/>).
/// </para>
/// <para>
/// Incoming fields not declared here are ignored. Required fields (C# <c>required</c>) that are missing,
/// and nulls in non-nullable properties (RespectNullableAnnotations), make deserialization throw a
/// <see cref="JsonException"/>. StreamJsonRpc 2.26 does not turn that exception into -32602 for
/// <c>UseSingleObjectParameterDeserialization</c> methods: the client gets -32000 (requests) or nothing
/// (notifications), and the connection stays up. StreamJsonRpcWireTests pins this down and shows the
/// JsonRpc.CreateErrorDetails override that answers -32602 instead.
/// </para>
/// </remarks>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true)]
// Lifecycle
[JsonSerializable(typeof(InitializeParams))]
[JsonSerializable(typeof(InitializeResult))]
[JsonSerializable(typeof(InitializedParams))]
[JsonSerializable(typeof(SetTraceParams))]
// Document synchronisation
[JsonSerializable(typeof(DidOpenTextDocumentParams))]
[JsonSerializable(typeof(DidChangeTextDocumentParams))]
[JsonSerializable(typeof(DidCloseTextDocumentParams))]
[JsonSerializable(typeof(DidSaveTextDocumentParams))]
// Workspace
[JsonSerializable(typeof(DidChangeConfigurationParams))]
[JsonSerializable(typeof(DidChangeWatchedFilesParams))]
[JsonSerializable(typeof(WorkspaceStats))]
[JsonSerializable(typeof(ConfigurationParams))]
[JsonSerializable(typeof(ExecuteCommandParams))]
[JsonSerializable(typeof(WorkspaceEdit))]
// Language features
[JsonSerializable(typeof(InlineCompletionParams))]
[JsonSerializable(typeof(InlineCompletionList))]
[JsonSerializable(typeof(CompletionParams))]
[JsonSerializable(typeof(CompletionList))]
[JsonSerializable(typeof(CompletionItem))]
[JsonSerializable(typeof(CodeActionParams))]
[JsonSerializable(typeof(CodeAction))]
[JsonSerializable(typeof(CodeAction[]))]
[JsonSerializable(typeof(Command))]
[JsonSerializable(typeof(Location))]
// codeAssist/ methods
[JsonSerializable(typeof(StatsResult))]
[JsonSerializable(typeof(SuggestionStats))]
[JsonSerializable(typeof(StatusParams))]
[JsonSerializable(typeof(ListModelsArguments))]
[JsonSerializable(typeof(SelectModelArguments))]
[JsonSerializable(typeof(PullModelArguments))]
[JsonSerializable(typeof(ModelInfo))]
[JsonSerializable(typeof(ModelInfo[]))]
[JsonSerializable(typeof(CodeActionData))]
// Window and progress
[JsonSerializable(typeof(LogMessageParams))]
[JsonSerializable(typeof(WorkDoneProgressCreateParams))]
[JsonSerializable(typeof(ProgressParams))]
[JsonSerializable(typeof(WorkDoneProgressBegin))]
[JsonSerializable(typeof(WorkDoneProgressReport))]
[JsonSerializable(typeof(WorkDoneProgressEnd))]
[JsonSerializable(typeof(WorkDoneProgressCancelParams))]
[JsonSerializable(typeof(ProgressToken))]
// Untyped values and primitives (LSPAny, workspace/configuration results, command arguments)
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(JsonElement[]))]
[JsonSerializable(typeof(object))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(bool))]
// StreamJsonRpc's own user-data types
[JsonSerializable(typeof(RequestId))]
[JsonSerializable(typeof(CommonErrorData))]
public sealed partial class LspJsonContext : JsonSerializerContext
{
    /// <summary>Creates a StreamJsonRpc formatter bound to this context.</summary>
    public static SystemTextJsonFormatter CreateFormatter() => new() { JsonSerializerOptions = Default.Options };
}

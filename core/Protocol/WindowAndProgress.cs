using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CodeAssist.Server.Protocol;

/// <summary>Parameters of window/logMessage.</summary>
public sealed record LogMessageParams
{
    public required MessageType Type { get; init; }

    public required string Message { get; init; }
}

/// <summary>Parameters of window/workDoneProgress/create.</summary>
public sealed record WorkDoneProgressCreateParams
{
    public required ProgressToken Token { get; init; }
}

/// <summary>Parameters of $/progress.</summary>
public sealed record ProgressParams
{
    public required ProgressToken Token { get; init; }

    /// <summary>
    /// Serialized by its runtime type, which must be listed in <see cref="LspJsonContext"/>
    /// (e.g. <see cref="WorkDoneProgressBegin"/>); deserializes as a <see cref="JsonElement"/>.
    /// </summary>
    public required object Value { get; init; }
}

/// <summary>The first $/progress value of a work done progress.</summary>
public sealed record WorkDoneProgressBegin
{
    public string Kind => "begin";

    public required string Title { get; init; }

    public bool? Cancellable { get; init; }

    public string? Message { get; init; }

    /// <summary>0 to 100.</summary>
    public int? Percentage { get; init; }
}

/// <summary>A $/progress value between begin and end.</summary>
public sealed record WorkDoneProgressReport
{
    public string Kind => "report";

    public bool? Cancellable { get; init; }

    public string? Message { get; init; }

    /// <summary>0 to 100.</summary>
    public int? Percentage { get; init; }
}

/// <summary>Parameters of window/workDoneProgress/cancel (client → server).</summary>
public sealed record WorkDoneProgressCancelParams
{
    public required ProgressToken Token { get; init; }
}

/// <summary>The final $/progress value.</summary>
public sealed record WorkDoneProgressEnd
{
    public string Kind => "end";

    public string? Message { get; init; }
}

/// <summary>A progress token: integer or string on the wire (LSP ProgressToken).</summary>
[JsonConverter(typeof(ProgressTokenJsonConverter))]
public readonly record struct ProgressToken
{
    private ProgressToken(long? number, string? text)
    {
        Number = number;
        String = text;
    }

    public long? Number { get; }

    public string? String { get; }

    public static implicit operator ProgressToken(string value) => new(null, value ?? throw new ArgumentNullException(nameof(value)));

    public static implicit operator ProgressToken(long value) => new(value, null);

    public override string ToString() => String ?? Number?.ToString(CultureInfo.InvariantCulture) ?? string.Empty;
}

/// <summary>Reads and writes <see cref="ProgressToken"/> as a JSON number or string.</summary>
public sealed class ProgressTokenJsonConverter : JsonConverter<ProgressToken>
{
    public override ProgressToken Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString()!,
        JsonTokenType.Number => reader.GetInt64(),
        _ => throw new JsonException("A progress token must be an integer or a string."),
    };

    public override void Write(Utf8JsonWriter writer, ProgressToken value, JsonSerializerOptions options)
    {
        if (value.String is not null)
        {
            writer.WriteStringValue(value.String);
        }
        else if (value.Number is long number)
        {
            writer.WriteNumberValue(number);
        }
        else
        {
            throw new JsonException("default(ProgressToken) has no value to write.");
        }
    }
}

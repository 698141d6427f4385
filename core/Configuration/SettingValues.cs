using System.Text.Json;

namespace CodeAssist.Server.Configuration;

/// <summary>Reads one setting's value: the value when it has the right type and range, else null and a problem for the user.</summary>
internal static class SettingValues
{
    /// <summary>True or false.</summary>
    public static bool? ReadBool(JsonElement value, string name, List<string> errors)
    {
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }

        errors.Add($"{name} must be true or false");
        return null;
    }

    /// <summary>
    /// Reads a setting that is true, false or "auto" (null also means "auto"): false when it is none of them (reported in
    /// <paramref name="errors"/>), else true with <paramref name="setting"/> the value (null for "auto").
    /// </summary>
    public static bool TryReadAuto(JsonElement value, string name, List<string> errors, out bool? setting)
    {
        ArgumentNullException.ThrowIfNull(errors);
        setting = null;
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            setting = value.GetBoolean();
            return true;
        }

        if (value.ValueKind == JsonValueKind.Null || (value.ValueKind == JsonValueKind.String && value.GetString() == "auto"))
        {
            return true;
        }

        errors.Add($"{name} must be true, false or \"auto\"");
        return false;
    }

    /// <summary>An integer from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static int? ReadInt(JsonElement value, int min, int max, string name, List<string> errors)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number >= min && number <= max)
        {
            return number;
        }

        errors.Add($"{name} must be an integer from {min} to {max}");
        return null;
    }

    /// <summary>A number from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static double? ReadDouble(JsonElement value, double min, double max, string name, List<string> errors)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && number >= min && number <= max)
        {
            return number;
        }

        errors.Add($"{name} must be a number from {min.ToString(System.Globalization.CultureInfo.InvariantCulture)} to {max.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        return null;
    }
}

using System.Globalization;

namespace CodeAssist.Tests.Gguf;

/// <summary>One typed GGUF metadata value: a number, bool or string, or an array whose elements all share one type.</summary>
public sealed class GgufValue
{
    private GgufValue(GgufValueType type, object value, GgufValueType? elementType = null)
    {
        Type = type;
        Value = value;
        ElementType = elementType;
    }

    /// <summary>The on-disk type of this value.</summary>
    public GgufValueType Type { get; }

    /// <summary>For arrays, the type every element has; null otherwise.</summary>
    public GgufValueType? ElementType { get; }

    /// <summary>The CLR value (byte, sbyte, ushort, short, uint, int, float, bool, string, ulong, long, double),
    /// or for arrays an <see cref="IReadOnlyList{T}"/> of <see cref="GgufValue"/>.</summary>
    public object Value { get; }

    /// <summary>The elements of an array value.</summary>
    public IReadOnlyList<GgufValue> Items =>
        Value as IReadOnlyList<GgufValue> ?? throw new InvalidOperationException($"A {Type} value has no items.");

    public static GgufValue UInt8(byte value) => new(GgufValueType.UInt8, value);
    public static GgufValue Int8(sbyte value) => new(GgufValueType.Int8, value);
    public static GgufValue UInt16(ushort value) => new(GgufValueType.UInt16, value);
    public static GgufValue Int16(short value) => new(GgufValueType.Int16, value);
    public static GgufValue UInt32(uint value) => new(GgufValueType.UInt32, value);
    public static GgufValue Int32(int value) => new(GgufValueType.Int32, value);
    public static GgufValue Float32(float value) => new(GgufValueType.Float32, value);
    public static GgufValue Bool(bool value) => new(GgufValueType.Bool, value);
    public static GgufValue String(string value) => new(GgufValueType.String, value ?? throw new ArgumentNullException(nameof(value)));
    public static GgufValue UInt64(ulong value) => new(GgufValueType.UInt64, value);
    public static GgufValue Int64(long value) => new(GgufValueType.Int64, value);
    public static GgufValue Float64(double value) => new(GgufValueType.Float64, value);

    /// <summary>An array of <paramref name="elementType"/>; every item must have that type (arrays of arrays are allowed by the spec).</summary>
    public static GgufValue Array(GgufValueType elementType, IEnumerable<GgufValue> items)
    {
        var list = items.ToArray();
        foreach (var item in list)
        {
            if (item.Type != elementType)
            {
                throw new ArgumentException($"Array of {elementType} cannot hold a {item.Type}.", nameof(items));
            }
        }

        return new GgufValue(GgufValueType.Array, list, elementType);
    }

    public static GgufValue Array(IEnumerable<string> items) => Array(GgufValueType.String, items.Select(String));
    public static GgufValue Array(IEnumerable<int> items) => Array(GgufValueType.Int32, items.Select(Int32));
    public static GgufValue Array(IEnumerable<uint> items) => Array(GgufValueType.UInt32, items.Select(UInt32));
    public static GgufValue Array(IEnumerable<long> items) => Array(GgufValueType.Int64, items.Select(Int64));
    public static GgufValue Array(IEnumerable<float> items) => Array(GgufValueType.Float32, items.Select(Float32));
    public static GgufValue Array(IEnumerable<double> items) => Array(GgufValueType.Float64, items.Select(Float64));
    public static GgufValue Array(IEnumerable<bool> items) => Array(GgufValueType.Bool, items.Select(Bool));

    public override string ToString() => Type == GgufValueType.Array
        ? $"[{ElementType} x {Items.Count}]"
        : Convert.ToString(Value, CultureInfo.InvariantCulture) ?? "";
}

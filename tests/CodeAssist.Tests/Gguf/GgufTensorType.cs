namespace CodeAssist.Tests.Gguf;

/// <summary>The ggml tensor types this writer can encode (the numbers are ggml's type ids on disk).</summary>
public enum GgufTensorType : uint
{
    F32 = 0,
    F16 = 1,
}

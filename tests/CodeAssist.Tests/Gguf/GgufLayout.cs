namespace CodeAssist.Tests.Gguf;

/// <summary>Where each part of a written GGUF file lies, so a test can truncate or corrupt a chosen part.</summary>
/// <param name="MetadataOffset">Start of the key/value section (right after the 24-byte header).</param>
/// <param name="TensorInfosOffset">Start of the tensor-info section.</param>
/// <param name="DataOffset">Start of the tensor data section (a multiple of the alignment).</param>
/// <param name="Length">Total file length in bytes.</param>
/// <param name="Tensors">Per tensor, in file order: where its info record and its data lie.</param>
public sealed record GgufLayout(
    long MetadataOffset,
    long TensorInfosOffset,
    long DataOffset,
    long Length,
    IReadOnlyList<GgufTensorLayout> Tensors);

/// <summary>The position of one tensor's info record and of its data in a written GGUF file.</summary>
/// <param name="Name">Tensor name.</param>
/// <param name="InfoOffset">Absolute offset of the tensor-info record (its name length comes first).</param>
/// <param name="DataOffset">Absolute offset of the tensor's first data byte.</param>
/// <param name="DataLength">Bytes of data, without padding.</param>
public sealed record GgufTensorLayout(string Name, long InfoOffset, long DataOffset, long DataLength);

using System.Text;
using LLama.Native;

namespace CodeAssist.Tests.Gguf;

/// <summary>Collects llama.cpp's log lines emitted on the current thread while a capture is open, and drops all other
/// native log output (so test output is not flooded).</summary>
/// <remarks>
/// LLamaSharp only reports "Failed to load model" when loading fails; the reason (e.g. "invalid magic characters")
/// appears only in the native log. llama.cpp logs on the thread that called into it, so a thread-static buffer keeps
/// parallel tests apart. The callback is process-wide; <see cref="NativeLogConfig.llama_log_set(NativeLogConfig.LLamaLogCallback)"/>
/// may be called before or after the native library is loaded.
/// </remarks>
public sealed class LlamaLogCapture : IDisposable
{
    private static readonly Lock InstallLock = new();
    private static bool _installed;

    [ThreadStatic]
    private static StringBuilder? _current;

    private readonly StringBuilder _text = new();
    private readonly StringBuilder? _previous;

    private LlamaLogCapture()
    {
        _previous = _current;
        _current = _text;
    }

    /// <summary>Everything llama.cpp logged on this thread since <see cref="Begin"/>.</summary>
    public string Text => _text.ToString();

    public static LlamaLogCapture Begin()
    {
        Install();
        return new LlamaLogCapture();
    }

    /// <summary>Routes native logging through the capture; call once before any test touches llama.cpp.</summary>
    public static void Install()
    {
        lock (InstallLock)
        {
            if (!_installed)
            {
                NativeLogConfig.llama_log_set((level, message) =>
                {
                    if (level != LLamaLogLevel.Debug)
                    {
                        _current?.Append(message);
                    }
                });
                _installed = true;
            }
        }
    }

    public void Dispose() => _current = _previous;
}

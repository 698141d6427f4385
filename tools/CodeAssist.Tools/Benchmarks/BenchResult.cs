namespace CodeAssist.Tools.Benchmarks;

/// <summary>What one mode measured. Times in milliseconds; null where a figure does not apply to the mode.</summary>
internal sealed record BenchResult
{
    public required string Mode { get; init; }

    public required string Description { get; init; }

    public required string Model { get; init; }

    public required string File { get; init; }

    public required int FileLines { get; init; }

    public required string Transport { get; init; }

    public required int ContextSize { get; init; }

    public required string FimOrder { get; init; }

    public required bool KvReuse { get; init; }

    public required int DebounceMs { get; init; }

    /// <summary>Keystrokes measured (each a didChange and an inlineCompletion).</summary>
    public required int Keystrokes { get; init; }

    /// <summary>Requests answered (not cancelled).</summary>
    public required int Answered { get; init; }

    /// <summary>Answers with a suggestion.</summary>
    public required int Suggestions { get; init; }

    public double? P50Ms { get; init; }

    public double? P95Ms { get; init; }

    public double? MaxMs { get; init; }

    /// <summary>Median latency of the keystrokes whose answer needed a decode (in-process modes).</summary>
    public double? DecodedP50Ms { get; init; }

    public int? DecodedKeystrokes { get; init; }

    public required long DecodesStarted { get; init; }

    public required double DecodesPerKeystroke { get; init; }

    public double? PromptTokensPerRequest { get; init; }

    public double? PromptTokensEvaluatedPerRequest { get; init; }

    public double? ReusedTokensPerRequest { get; init; }

    public double? GeneratedTokensPerRequest { get; init; }

    public required long CacheHits { get; init; }

    public required long TypedThrough { get; init; }

    /// <summary>CPU time of the server's process during the mode (in-process: this process, client side included).</summary>
    public required double CpuMs { get; init; }

    /// <summary>Highest resident set seen during the mode (sampled after every answer).</summary>
    public required double RssMb { get; init; }

    /// <summary>
    /// In-process: (process CPU time − CPU time inside llama.cpp's decode calls) per keystroke: the server's own work
    /// plus the benchmark client's, unaffected by waiting for a CPU on a busy machine.
    /// </summary>
    public double? CpuOutsideDecodePerKeystrokeMs { get; init; }

    /// <summary>Median llama.cpp time to decode the same tokens on a bare context, over keystrokes that decoded.</summary>
    public double? DecodeP50Ms { get; init; }

    /// <summary>Median of (keystroke latency − its decode floor) over all answered keystrokes.</summary>
    public double? OverheadP50Ms { get; init; }

    public double? OverheadP95Ms { get; init; }

    /// <summary>Median time the server spent inside llama.cpp's decode calls, over keystrokes that decoded (same moment, same load as the latency).</summary>
    public double? DecodeInServerP50Ms { get; init; }

    /// <summary>Median of (keystroke latency − the decode time measured inside that request) over all answered keystrokes.</summary>
    public double? OverheadInServerP50Ms { get; init; }

    public double? OverheadInServerP95Ms { get; init; }

    public int? MaxPending { get; init; }

    /// <summary>Managed bytes allocated per keystroke in this process (in-process modes: server and client).</summary>
    public double? AllocatedKbPerKeystroke { get; init; }

    public int? Gen0Collections { get; init; }

    public int? Gen2Collections { get; init; }

    public int? Pauses { get; init; }

    public double? DecodesPerPause { get; init; }

    /// <summary>Storm: median time from the last keystroke of a burst to its answer.</summary>
    public double? AfterPauseP50Ms { get; init; }

    /// <summary>Storm: decodes started while a burst was being typed (before its last keystroke's answer was awaited).</summary>
    public long? DecodesDuringBursts { get; init; }

    /// <summary>Storm: median time inside llama.cpp's decode calls for the answers after a pause.</summary>
    public double? AfterPauseInServerDecodeP50Ms { get; init; }

    /// <summary>Storm: median decode floor of the answers after a pause.</summary>
    public double? AfterPauseDecodeP50Ms { get; init; }

    public IReadOnlyList<double>? RssAfterSwapsMb { get; init; }

    /// <summary>Swap, in-process: the managed heap after each swap (after a full collection).</summary>
    public IReadOnlyList<double>? ManagedAfterSwapsMb { get; init; }

    /// <summary>Swap: the largest RSS after the second swap minus the RSS after the second swap.</summary>
    public double? RssDriftMb { get; init; }
}

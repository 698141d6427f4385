using CodeAssist.Server.Inference;

namespace CodeAssist.Server.Routing;

/// <summary>The local tier as the router sees it: the model the settings ask for, loaded on first use.</summary>
public interface ILocalTier
{
    /// <summary>The local model, loading it if needed; null when none can be loaded.</summary>
    Task<ICompletionModel?> GetAsync(CancellationToken cancellationToken);

    /// <summary>Why the last load failed (null when it did not).</summary>
    string? LastError { get; }
}

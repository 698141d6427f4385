using CodeAssist.Server.Inference;

namespace CodeAssist.Server.Routing;

/// <summary>
/// One tier's turn at a request (prompt → generate → post-process): what the router runs with each model it chooses.
/// The router hands the model in and takes the answer back; it never reaches past the attempt into its caller.
/// </summary>
public interface ITierAttempt
{
    /// <summary>Runs the attempt with <paramref name="model"/>. Cancellation propagates as <see cref="OperationCanceledException"/>.</summary>
    Task<TierAnswer> RunAsync(ICompletionModel model, CancellationToken cancellationToken);
}

namespace CodeAssist.Server.Inference;

/// <summary>
/// A model that queues its requests and can say how many are waiting or running, so that one switched out is disposed
/// once they are done (<see cref="Models.ModelRetirement"/>).
/// </summary>
public interface IQueuedModel
{
    /// <summary>Requests waiting or running on the model now.</summary>
    int PendingRequests { get; }
}

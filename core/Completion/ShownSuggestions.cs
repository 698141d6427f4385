namespace CodeAssist.Server.Completion;

/// <summary>
/// The request ids of the last <c>capacity</c> suggestions shown, each with the tier and model that wrote it, so that an
/// accepted command, whose only argument is the request id, is counted for the model that earned it. Older ids are
/// forgotten: the map never grows past its capacity however long the session runs.
/// </summary>
public sealed class ShownSuggestions(int capacity = 256)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, LinkedListNode<(string RequestId, SuggestionOrigin Origin)>> _byId = new(StringComparer.Ordinal);
    private readonly LinkedList<(string RequestId, SuggestionOrigin Origin)> _order = new();

    /// <summary>Request ids remembered now (at most the capacity).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _byId.Count;
            }
        }
    }

    /// <summary>Remembers who wrote the suggestion shown for <paramref name="requestId"/>, forgetting the oldest id when full.</summary>
    public void Remember(string requestId, SuggestionOrigin origin)
    {
        ArgumentNullException.ThrowIfNull(requestId);
        lock (_gate)
        {
            if (_byId.Remove(requestId, out var existing))
            {
                _order.Remove(existing);
            }

            _byId[requestId] = _order.AddLast((requestId, origin));
            while (_byId.Count > capacity && _order.First is { } oldest)
            {
                _order.RemoveFirst();
                _byId.Remove(oldest.Value.RequestId);
            }
        }
    }

    /// <summary>
    /// Who wrote the suggestion shown for <paramref name="requestId"/>, forgetting it, so that a second accepted command
    /// for the same request is not counted twice; false for an id never shown, already taken or forgotten.
    /// </summary>
    public bool TryTake(string requestId, out SuggestionOrigin origin)
    {
        ArgumentNullException.ThrowIfNull(requestId);
        lock (_gate)
        {
            if (_byId.Remove(requestId, out var node))
            {
                _order.Remove(node);
                origin = node.Value.Origin;
                return true;
            }
        }

        origin = default;
        return false;
    }
}

namespace CodeAssist.Server.Inference.Remote;

/// <summary>A model that answers a chat conversation (for code actions).</summary>
public interface IChatModel
{
    /// <summary>Sends <paramref name="messages"/> (role: system, user or assistant) and returns the assistant's reply.</summary>
    Task<string> ChatAsync(IReadOnlyList<(string Role, string Content)> messages, int maxTokens, CancellationToken cancellationToken);
}

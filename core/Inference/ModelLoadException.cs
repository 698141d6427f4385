namespace CodeAssist.Server.Inference;

/// <summary>A model could not be loaded; the message is one clear line for the user.</summary>
public sealed class ModelLoadException : Exception
{
    /// <summary>Creates the exception with a user-facing message.</summary>
    public ModelLoadException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a user-facing message and the underlying cause.</summary>
    public ModelLoadException(string message, Exception inner) : base(message, inner)
    {
    }
}

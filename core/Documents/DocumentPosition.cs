namespace CodeAssist.Server.Documents;

/// <summary>A zero-based line and character, the character counted in some <see cref="PositionEncoding"/>.</summary>
public readonly record struct DocumentPosition(int Line, int Character);

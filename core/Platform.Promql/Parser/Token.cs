namespace Platform.Promql.Parser;

/// <summary>A token with its text and where it starts in the query.</summary>
internal readonly record struct Token(TokenKind Kind, string Text, int Position);

namespace Platform.Promql.Parser;

/// <summary>The kinds of PromQL tokens.</summary>
internal enum TokenKind
{
    End,
    Identifier,
    Number,
    Duration,
    String,
    LeftParen,
    RightParen,
    LeftBrace,
    RightBrace,
    LeftBracket,
    RightBracket,
    Comma,
    Colon,
    At,
    Assign,      // =
    RegexMatch,  // =~
    RegexNoMatch, // !~
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    EqlC,        // ==
    Neq,         // !=
    Lss,
    Lte,
    Gtr,
    Gte,
}

using Platform.Promql.Series;

namespace Platform.Promql.Parser;

/// <summary>A PromQL expression.</summary>
public abstract record Expr
{
    /// <summary>The type of the expression's value.</summary>
    public abstract ExprType Type { get; }

    /// <summary>How deep the tree under this node is (1 for a leaf): evaluation recurses this deep.</summary>
    public virtual int Depth => 1;
}

/// <summary>A number.</summary>
public sealed record NumberLiteral(double Value) : Expr
{
    /// <inheritdoc />
    public override ExprType Type => ExprType.Scalar;
}

/// <summary>A string.</summary>
public sealed record StringLiteral(string Value) : Expr
{
    /// <inheritdoc />
    public override ExprType Type => ExprType.Text;
}

/// <summary>Where an <c>@</c> modifier pins evaluation: a time, or the range query's start or end.</summary>
public enum AtKind
{
    /// <summary>No <c>@</c>.</summary>
    None,
    /// <summary><c>@ &lt;timestamp&gt;</c></summary>
    Timestamp,
    /// <summary><c>@ start()</c></summary>
    Start,
    /// <summary><c>@ end()</c></summary>
    End,
}

/// <summary><c>name{matchers} offset d @ t</c>.</summary>
public sealed record VectorSelector(string Name, IReadOnlyList<LabelMatcher> Matchers, long OffsetMs, AtKind At, long AtMs) : Expr
{
    /// <inheritdoc />
    public override ExprType Type => ExprType.Vector;
}

/// <summary><c>selector[range]</c>.</summary>
public sealed record MatrixSelector(VectorSelector Selector, long RangeMs) : Expr
{
    /// <inheritdoc />
    public override int Depth => 2;

    /// <inheritdoc />
    public override ExprType Type => ExprType.Matrix;
}

/// <summary><c>( expr )</c>.</summary>
public sealed record ParenExpr(Expr Inner) : Expr
{
    /// <inheritdoc />
    public override int Depth { get; } = Inner.Depth + 1;

    /// <inheritdoc />
    public override ExprType Type => Inner.Type;
}

/// <summary><c>-expr</c> (or <c>+expr</c>).</summary>
public sealed record UnaryExpr(bool Negate, Expr Operand) : Expr
{
    /// <inheritdoc />
    public override int Depth { get; } = Operand.Depth + 1;

    /// <inheritdoc />
    public override ExprType Type => Operand.Type;
}

/// <summary>Binary operators, by PromQL spelling.</summary>
public enum BinaryOp
{
    /// <summary>+</summary>
    Add,
    /// <summary>-</summary>
    Sub,
    /// <summary>*</summary>
    Mul,
    /// <summary>/</summary>
    Div,
    /// <summary>%</summary>
    Mod,
    /// <summary>^</summary>
    Pow,
    /// <summary>atan2</summary>
    Atan2,
    /// <summary>==</summary>
    Eql,
    /// <summary>!=</summary>
    Neq,
    /// <summary>&lt;</summary>
    Lss,
    /// <summary>&lt;=</summary>
    Lte,
    /// <summary>&gt;</summary>
    Gtr,
    /// <summary>&gt;=</summary>
    Gte,
    /// <summary>and</summary>
    And,
    /// <summary>or</summary>
    Or,
    /// <summary>unless</summary>
    Unless,
}

/// <summary>How a binary operation between vectors pairs series.</summary>
public enum Cardinality
{
    /// <summary>Each side matches at most one series of the other.</summary>
    OneToOne,
    /// <summary><c>group_left</c>: many series on the left to one on the right.</summary>
    ManyToOne,
    /// <summary><c>group_right</c>.</summary>
    OneToMany,
    /// <summary>Set operations.</summary>
    ManyToMany,
}

/// <summary><c>on(...)</c> / <c>ignoring(...)</c> and <c>group_left(...)</c> / <c>group_right(...)</c>.</summary>
public sealed record VectorMatching(Cardinality Card, IReadOnlyList<string> MatchingLabels, bool On, IReadOnlyList<string> Include);

/// <summary><c>lhs op rhs</c>; <see cref="Matching"/> is set when both sides are vectors.</summary>
public sealed record BinaryExpr(BinaryOp Op, Expr Lhs, Expr Rhs, VectorMatching? Matching, bool ReturnBool) : Expr
{
    /// <inheritdoc />
    public override int Depth { get; } = Math.Max(Lhs.Depth, Rhs.Depth) + 1;

    /// <inheritdoc />
    public override ExprType Type => Lhs.Type == ExprType.Scalar && Rhs.Type == ExprType.Scalar ? ExprType.Scalar : ExprType.Vector;
}

/// <summary><c>op by/without (labels) (param, expr)</c>.</summary>
public sealed record AggregateExpr(string Op, Expr Inner, Expr? Param, IReadOnlyList<string> Grouping, bool Without) : Expr
{
    /// <inheritdoc />
    public override int Depth { get; } = Math.Max(Inner.Depth, Param?.Depth ?? 0) + 1;

    /// <inheritdoc />
    public override ExprType Type => ExprType.Vector;
}

/// <summary>A function call.</summary>
public sealed record FunctionCall(FunctionSignature Function, IReadOnlyList<Expr> Args) : Expr
{
    /// <inheritdoc />
    public override int Depth { get; } = Args.Select(a => a.Depth).DefaultIfEmpty(0).Max() + 1;

    /// <inheritdoc />
    public override ExprType Type => Function.Returns;
}

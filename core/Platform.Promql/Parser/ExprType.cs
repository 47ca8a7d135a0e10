namespace Platform.Promql.Parser;

/// <summary>The type of a PromQL expression's value.</summary>
public enum ExprType
{
    /// <summary>A single number.</summary>
    Scalar,
    /// <summary>One sample per series at the evaluation time.</summary>
    Vector,
    /// <summary>A range of samples per series.</summary>
    Matrix,
    /// <summary>A string literal.</summary>
    Text,
}

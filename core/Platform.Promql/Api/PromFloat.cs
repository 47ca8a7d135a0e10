using System.Globalization;
using System.Text;

namespace Platform.Promql.Api;

/// <summary>
/// Formats numbers the way Prometheus does (Go's <c>strconv.FormatFloat(f, 'f', -1, 64)</c>): the shortest digits that
/// round-trip, never an exponent, and <c>+Inf</c>, <c>-Inf</c>, <c>NaN</c>.
/// </summary>
public static class PromFloat
{
    /// <summary>The text of a value.</summary>
    public static string Format(double value)
    {
        if (double.IsNaN(value)) return "NaN";
        if (double.IsPositiveInfinity(value)) return "+Inf";
        if (double.IsNegativeInfinity(value)) return "-Inf";
        var shortest = value.ToString("R", CultureInfo.InvariantCulture);
        var e = shortest.IndexOf('E', StringComparison.Ordinal);
        if (e < 0) return shortest;
        var negative = shortest[0] == '-';
        var mantissa = shortest[(negative ? 1 : 0)..e];
        var exponent = int.Parse(shortest.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var digits = dot < 0 ? mantissa : mantissa.Remove(dot, 1);
        var pointAt = (dot < 0 ? mantissa.Length : dot) + exponent;
        var text = new StringBuilder();
        if (negative) text.Append('-');
        if (pointAt <= 0)
        {
            text.Append("0.").Append('0', -pointAt).Append(digits);
        }
        else if (pointAt >= digits.Length)
        {
            text.Append(digits).Append('0', pointAt - digits.Length);
        }
        else
        {
            text.Append(digits, 0, pointAt).Append('.').Append(digits, pointAt, digits.Length - pointAt);
        }
        return text.ToString();
    }

    /// <summary>A timestamp in Unix milliseconds as Prometheus writes it: seconds with up to three decimals.</summary>
    public static string FormatTime(long milliseconds) => Format(milliseconds / 1000.0);

    /// <summary>Parses a value as Go's ParseFloat does for sample values and <c>le</c> labels (accepts Inf, +Inf, NaN in any case).</summary>
    public static bool TryParse(string text, out double value)
    {
        ArgumentNullException.ThrowIfNull(text);
        switch (text.ToLowerInvariant())
        {
            case "inf" or "+inf" or "infinity" or "+infinity": value = double.PositiveInfinity; return true;
            case "-inf" or "-infinity": value = double.NegativeInfinity; return true;
            case "nan": value = double.NaN; return true;
        }
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }
}

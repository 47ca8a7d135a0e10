using System.Globalization;
using System.Text;

namespace Platform.Core.Alerting.Templates;

/// <summary>Go's <c>fmt</c> formatting of numbers, as Prometheus's templates print them.</summary>
internal static class GoFormat
{
    /// <summary><c>%v</c> of a float64: shortest digits, exponent form below 1e-4 or from 1e21.</summary>
    public static string Value(double v)
    {
        if (double.IsNaN(v)) return "NaN";
        if (double.IsPositiveInfinity(v)) return "+Inf";
        if (double.IsNegativeInfinity(v)) return "-Inf";
        if (v == 0) return "0";
        var exponent = (int)Math.Floor(Math.Log10(Math.Abs(v)));
        if (exponent < -4 || exponent >= 21) return Exponent(v.ToString("E16", CultureInfo.InvariantCulture), shortest: v);
        return Promql.Api.PromFloat.Format(v);
    }

    /// <summary><c>%.Ng</c>: N significant digits, trailing zeros dropped, exponent form below 1e-4 or from 10^N.</summary>
    public static string G(double v, int precision)
    {
        if (double.IsNaN(v)) return "NaN";
        if (double.IsPositiveInfinity(v)) return "+Inf";
        if (double.IsNegativeInfinity(v)) return "-Inf";
        var text = v.ToString("G" + precision.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return text.Replace("E+", "e+", StringComparison.Ordinal).Replace("E-", "e-", StringComparison.Ordinal);
    }

    /// <summary><c>%.Nf</c>.</summary>
    public static string F(double v, int precision) =>
        double.IsNaN(v) ? "NaN" : double.IsInfinity(v) ? (v > 0 ? "+Inf" : "-Inf") : v.ToString("F" + precision.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    private static string Exponent(string e16, double shortest)
    {
        var r = shortest.ToString("R", CultureInfo.InvariantCulture);
        var text = r.Contains('E', StringComparison.Ordinal) ? r : e16;
        var at = text.IndexOf('E', StringComparison.Ordinal);
        var mantissa = text[..at];
        if (mantissa.Contains('.', StringComparison.Ordinal)) mantissa = mantissa.TrimEnd('0').TrimEnd('.');
        var exp = int.Parse(text.AsSpan(at + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var sign = exp < 0 ? "-" : "+";
        return new StringBuilder(mantissa).Append('e').Append(sign).Append(Math.Abs(exp).ToString("00", CultureInfo.InvariantCulture)).ToString();
    }
}

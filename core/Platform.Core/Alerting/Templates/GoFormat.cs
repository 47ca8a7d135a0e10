using System.Globalization;
using System.Text;

namespace Platform.Core.Alerting.Templates;

/// <summary>Go's <c>fmt</c> formatting of numbers, as Prometheus's templates print them.</summary>
internal static class GoFormat
{
    /// <summary><c>%v</c> of a float64 (Go's shortest <c>%g</c>): shortest digits, exponent form below 1e-4 or from 1e6.</summary>
    public static string Value(double v)
    {
        if (double.IsNaN(v)) return "NaN";
        if (double.IsPositiveInfinity(v)) return "+Inf";
        if (double.IsNegativeInfinity(v)) return "-Inf";
        if (v == 0) return "0";
        var exponent = (int)Math.Floor(Math.Log10(Math.Abs(v)));
        if (exponent < -4 || exponent >= 6) return Exponent(v);
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

    /// <summary>Shortest round-trip digits in Go's exponent form: <c>1.234567891e+06</c>, <c>1e-05</c>.</summary>
    private static string Exponent(double v)
    {
        var r = Math.Abs(v).ToString("R", CultureInfo.InvariantCulture);
        string digits;
        int exponent;
        var e = r.IndexOf('E', StringComparison.Ordinal);
        if (e >= 0)
        {
            digits = r[..e].Replace(".", "", StringComparison.Ordinal);
            exponent = int.Parse(r.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        }
        else
        {
            var dot = r.IndexOf('.', StringComparison.Ordinal);
            var whole = dot < 0 ? r : r[..dot];
            var fraction = dot < 0 ? "" : r[(dot + 1)..];
            if (whole != "0")
            {
                exponent = whole.Length - 1;
                digits = whole + fraction;
            }
            else
            {
                var zeros = fraction.Length - fraction.TrimStart('0').Length;
                exponent = -(zeros + 1);
                digits = fraction[zeros..];
            }
        }
        digits = digits.TrimEnd('0');
        if (digits.Length == 0) digits = "0";
        var mantissa = digits.Length == 1 ? digits : digits[0] + "." + digits[1..];
        return new StringBuilder(v < 0 ? "-" : "").Append(mantissa).Append('e').Append(exponent < 0 ? '-' : '+')
            .Append(Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture)).ToString();
    }
}

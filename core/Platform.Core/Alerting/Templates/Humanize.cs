using System.Globalization;

namespace Platform.Core.Alerting.Templates;

/// <summary>Prometheus's humanize functions for templates.</summary>
internal static class Humanize
{
    private static readonly string[] Big = ["k", "M", "G", "T", "P", "E", "Z", "Y"];
    private static readonly string[] Small = ["m", "u", "n", "p", "f", "a", "z", "y"];
    private static readonly string[] BinaryPrefixes = ["ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"];

    public static string Number(double v)
    {
        if (v == 0 || double.IsNaN(v) || double.IsInfinity(v)) return GoFormat.G(v, 4);
        var prefix = "";
        if (Math.Abs(v) >= 1)
        {
            foreach (var p in Big)
            {
                if (Math.Abs(v) < 1000) break;
                prefix = p;
                v /= 1000;
            }
            return GoFormat.G(v, 4) + prefix;
        }
        foreach (var p in Small)
        {
            if (Math.Abs(v) >= 1) break;
            prefix = p;
            v *= 1000;
        }
        return GoFormat.G(v, 4) + prefix;
    }

    public static string Binary(double v)
    {
        if (Math.Abs(v) <= 1 || double.IsNaN(v) || double.IsInfinity(v)) return GoFormat.G(v, 4);
        var prefix = "";
        foreach (var p in BinaryPrefixes)
        {
            if (Math.Abs(v) < 1024) break;
            prefix = p;
            v /= 1024;
        }
        return GoFormat.G(v, 4) + prefix;
    }

    public static string Duration(double v)
    {
        if (double.IsNaN(v) || double.IsInfinity(v)) return GoFormat.G(v, 4);
        if (v == 0) return GoFormat.G(v, 4) + "s";
        if (Math.Abs(v) >= 1)
        {
            var sign = v < 0 ? "-" : "";
            v = Math.Abs(v);
            var duration = (long)v;
            long seconds = duration % 60, minutes = duration / 60 % 60, hours = duration / 3600 % 24, days = duration / 86400;
            if (days != 0) return string.Create(CultureInfo.InvariantCulture, $"{sign}{days}d {hours}h {minutes}m {seconds}s");
            if (hours != 0) return string.Create(CultureInfo.InvariantCulture, $"{sign}{hours}h {minutes}m {seconds}s");
            if (minutes != 0) return string.Create(CultureInfo.InvariantCulture, $"{sign}{minutes}m {seconds}s");
            return sign + GoFormat.G(v, 4) + "s";
        }
        var prefix = "";
        foreach (var p in Small)
        {
            if (Math.Abs(v) >= 1) break;
            prefix = p;
            v *= 1000;
        }
        return GoFormat.G(v, 4) + prefix + "s";
    }

    public static string Timestamp(double seconds)
    {
        if (double.IsNaN(seconds) || double.IsInfinity(seconds)) return GoFormat.G(seconds, 4);
        // Past what a timestamp can be (a value in milliseconds, say): Prometheus renders an error there too.
        if (seconds is < -62_135_596_800 or > 253_402_300_799) throw new TemplateException($"{GoFormat.Value(seconds)} cannot be represented as a time");
        var time = DateTimeOffset.UnixEpoch.AddTicks((long)(seconds * TimeSpan.TicksPerSecond));
        return time.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture).TrimEnd('.') + " +0000 UTC";
    }
}

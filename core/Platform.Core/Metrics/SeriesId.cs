using System.Security.Cryptography;
using System.Text;
using Platform.Promql.Series;

namespace Platform.Core.Metrics;

/// <summary>A series' storage id: the first 128 bits of SHA-256 over its labels, in hex (stable across processes and versions).</summary>
public static class SeriesId
{
    /// <summary>The id of a label set.</summary>
    public static string Of(Labels labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var text = new StringBuilder();
        foreach (var label in labels.Items) text.Append(label.Name).Append('\u0000').Append(label.Value).Append('\u0000');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())).AsSpan(0, 16));
    }

    /// <summary>The key of a running total: the series family (name without _bucket/_sum/_count, labels without le/quantile).</summary>
    public static string Family(Labels labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var name = labels.Name;
        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal)) { name = name[..^suffix.Length]; break; }
        }
        return Of(labels.Without(["le", "quantile"]).With(Labels.MetricName, name));
    }
}

using System.Text;

namespace Platform.Promql.Series;

/// <summary>
/// A series' identity: labels sorted by name, with no empty values (an empty value means "absent", as in
/// Prometheus). Immutable; equality and hash are by content.
/// </summary>
public sealed class Labels : IEquatable<Labels>
{
    /// <summary>The label that holds a series' metric name.</summary>
    public const string MetricName = "__name__";

    /// <summary>The empty label set.</summary>
    public static readonly Labels Empty = new([]);

    private readonly Label[] _labels;
    private readonly int _hash;

    private Labels(Label[] sorted)
    {
        _labels = sorted;
        var hash = new HashCode();
        foreach (var label in sorted)
        {
            hash.Add(label.Name, StringComparer.Ordinal);
            hash.Add(label.Value, StringComparer.Ordinal);
        }
        _hash = hash.ToHashCode();
    }

    /// <summary>The labels, sorted by name.</summary>
    public ReadOnlySpan<Label> Items => _labels;

    /// <summary>How many labels there are.</summary>
    public int Count => _labels.Length;

    /// <summary>Builds a label set; empty values are dropped, a repeated name keeps its last value.</summary>
    public static Labels From(IEnumerable<Label> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var byName = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var label in labels)
        {
            if (label.Value.Length == 0) byName.Remove(label.Name);
            else byName[label.Name] = label.Value;
        }
        return new Labels(byName.Select(pair => new Label(pair.Key, pair.Value)).ToArray());
    }

    /// <summary>Builds a label set from name/value pairs: <c>Of("__name__", "up", "job", "api")</c>.</summary>
    public static Labels Of(params string[] nameValuePairs)
    {
        ArgumentNullException.ThrowIfNull(nameValuePairs);
        if (nameValuePairs.Length % 2 != 0) throw new ArgumentException("Labels come in name/value pairs.", nameof(nameValuePairs));
        var labels = new Label[nameValuePairs.Length / 2];
        for (var i = 0; i < labels.Length; i++) labels[i] = new Label(nameValuePairs[2 * i], nameValuePairs[2 * i + 1]);
        return From(labels);
    }

    /// <summary>The value of a label, or "" when the series has none.</summary>
    public string Get(string name)
    {
        foreach (var label in _labels)
        {
            if (string.Equals(label.Name, name, StringComparison.Ordinal)) return label.Value;
        }
        return "";
    }

    /// <summary>True when the series has the label.</summary>
    public bool Has(string name) => Get(name).Length > 0;

    /// <summary>The metric name, or "".</summary>
    public string Name => Get(MetricName);

    /// <summary>A copy with a label set (or removed when <paramref name="value"/> is empty).</summary>
    public Labels With(string name, string value) =>
        From(_labels.Where(l => !string.Equals(l.Name, name, StringComparison.Ordinal)).Append(new Label(name, value)));

    /// <summary>A copy without the given labels.</summary>
    public Labels Without(IReadOnlyCollection<string> names) =>
        new(_labels.Where(l => !names.Contains(l.Name, StringComparer.Ordinal)).ToArray());

    /// <summary>A copy with only the given labels.</summary>
    public Labels Keep(IReadOnlyCollection<string> names) =>
        new(_labels.Where(l => names.Contains(l.Name, StringComparer.Ordinal)).ToArray());

    /// <summary>A copy without the metric name.</summary>
    public Labels DropMetricName() => Has(MetricName) ? Without([MetricName]) : this;

    /// <inheritdoc />
    public bool Equals(Labels? other)
    {
        if (other is null) return false;
        if (ReferenceEquals(this, other)) return true;
        if (_hash != other._hash || _labels.Length != other._labels.Length) return false;
        for (var i = 0; i < _labels.Length; i++)
        {
            if (!string.Equals(_labels[i].Name, other._labels[i].Name, StringComparison.Ordinal)
                || !string.Equals(_labels[i].Value, other._labels[i].Value, StringComparison.Ordinal)) return false;
        }
        return true;
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Labels);

    /// <inheritdoc />
    public override int GetHashCode() => _hash;

    /// <summary>Orders label sets the way Prometheus does: label by label, name then value.</summary>
    public static int Compare(Labels a, Labels b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var n = Math.Min(a._labels.Length, b._labels.Length);
        for (var i = 0; i < n; i++)
        {
            var byName = string.CompareOrdinal(a._labels[i].Name, b._labels[i].Name);
            if (byName != 0) return byName;
            var byValue = string.CompareOrdinal(a._labels[i].Value, b._labels[i].Value);
            if (byValue != 0) return byValue;
        }
        return a._labels.Length.CompareTo(b._labels.Length);
    }

    /// <summary>Prometheus's text form: <c>{__name__="up", job="api"}</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder("{");
        for (var i = 0; i < _labels.Length; i++)
        {
            if (i > 0) text.Append(", ");
            text.Append(_labels[i].Name).Append("=\"").Append(_labels[i].Value.Replace("\\", "\\\\", StringComparison.Ordinal)
                .Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)).Append('"');
        }
        return text.Append('}').ToString();
    }
}

using System.Globalization;

namespace Platform.Core.Log;

/// <summary>One partition of one topic: the unit of ordering, appending and consuming.</summary>
public readonly record struct TopicPartition(string Topic, int Partition)
{
    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Topic}/{Partition}");
}

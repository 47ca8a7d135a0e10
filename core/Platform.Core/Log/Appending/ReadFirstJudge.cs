namespace Platform.Core.Log.Appending;

/// <summary>
/// Whether a writer should read past its known end before appending (<see cref="PartitionWriter.ReadFirst"/>). It pays
/// where another writer has usually appended since this one's last append: one read then replaces a refused append and
/// the same read. Two moving averages decide: how often, lately, another writer had appended in between, and how often
/// reading first paid (it found another writer's batches and the append then won at once). Reading first is worth it
/// while both are past one in two. Where writers append faster than a round trip (several on one partition), the end
/// has moved again by the time the append lands and reading first only adds a request; it is tried again now and then.
/// </summary>
internal sealed class ReadFirstJudge
{
    private double _othersBetween;
    private double _paid = 1;

    /// <summary>Whether the next append should read first.</summary>
    public bool ShouldRead => _othersBetween > 0.5 && _paid > 0.5;

    /// <summary>An append ended, appended or not: whether another writer had appended since this one's last.</summary>
    public void Turn(bool othersAppended) => _othersBetween = (0.8 * _othersBetween) + (othersAppended ? 0.2 : 0);

    /// <summary>An append landed: whether it read first, and if so whether that paid.</summary>
    public void Appended(bool readFirst, bool paid) =>
        _paid = readFirst ? (0.8 * _paid) + (paid ? 0.2 : 0) : Math.Min(1, _paid + 0.005);
}

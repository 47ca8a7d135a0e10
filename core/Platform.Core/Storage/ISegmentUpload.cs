namespace Platform.Core.Storage;

/// <summary>A new generation of a segment being written: staged blocks, visible only once committed, whole.</summary>
public interface ISegmentUpload
{
    /// <summary>Stages the next block (at most 4 MiB).</summary>
    Task StageAsync(ReadOnlyMemory<byte> block, CancellationToken cancellationToken);

    /// <summary>
    /// Makes the staged blocks the generation's content, in one step, sealed; false when that generation already
    /// exists (another compactor got there first: this upload is dropped).
    /// </summary>
    Task<bool> CommitAsync(CancellationToken cancellationToken);
}

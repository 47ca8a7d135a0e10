namespace Platform.Core.Log.Compaction;

/// <summary>What one compaction pass did to one partition.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="SegmentsRewritten">Segments replaced by a compacted generation.</param>
/// <param name="BytesRead">Bytes of the segments read to build the key map and to rewrite.</param>
/// <param name="BytesBefore">Size of the rewritten segments before.</param>
/// <param name="BytesAfter">Their size after.</param>
/// <param name="RecordsRemoved">Records dropped because a later record has the same key.</param>
/// <param name="TombstonesRemoved">Tombstones dropped after the topic's DeleteRetentionMs.</param>
public sealed record CompactionResult(TopicPartition Partition, int SegmentsRewritten, long BytesRead, long BytesBefore, long BytesAfter, long RecordsRemoved, long TombstonesRemoved);

using System.Collections.Concurrent;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Platform.Core.Log;

namespace Platform.Core.Storage.Azure;

/// <summary>
/// Segments as append blobs in one container: <c>{topic}/{partition:D5}/{baseOffset:D20}.seg</c>; compacted generations
/// as block blobs beside them (<c>{baseOffset:D20}.{generation:D6}.seg</c>), committed whole in one Put Block List.
/// </summary>
public sealed class AzureSegmentStore(BlobContainerClient container) : ISegmentStore, IProvisionedStore
{
    // The newest generation seen per compacted segment, so that reading one costs one request, as for the others.
    private readonly ConcurrentDictionary<(TopicPartition Partition, long BaseOffset), int> _generations = new();

    /// <inheritdoc />
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken) =>
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task<IReadOnlyList<long>> ListSegmentsAsync(TopicPartition partition, CancellationToken cancellationToken)
    {
        var newest = new SortedDictionary<long, int>();
        await foreach (BlobItem item in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, StorageNames.SegmentPrefix(partition), cancellationToken).ConfigureAwait(false))
        {
            if (StorageNames.TryParseSegment(item.Name, out SegmentRef segment))
            {
                newest[segment.BaseOffset] = Math.Max(segment.Generation, newest.GetValueOrDefault(segment.BaseOffset));
            }
        }

        foreach ((long baseOffset, int generation) in newest)
        {
            if (generation > 0)
            {
                _generations[(partition, baseOffset)] = generation;
            }
        }

        return [.. newest.Keys];
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SegmentRef>> ListGenerationsAsync(TopicPartition partition, CancellationToken cancellationToken)
    {
        var result = new List<SegmentRef>();
        await foreach (BlobItem item in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, StorageNames.SegmentPrefix(partition), cancellationToken).ConfigureAwait(false))
        {
            if (StorageNames.TryParseSegment(item.Name, out SegmentRef segment))
            {
                result.Add(segment);
            }
        }

        result.Sort((a, b) => a.BaseOffset != b.BaseOffset ? a.BaseOffset.CompareTo(b.BaseOffset) : a.Generation.CompareTo(b.Generation));
        return result;
    }

    /// <inheritdoc />
    public async Task<SegmentInfo?> GetSegmentAsync(TopicPartition partition, long baseOffset, CancellationToken cancellationToken)
    {
        int known = _generations.GetValueOrDefault((partition, baseOffset));
        if (await PropertiesAsync(partition, new SegmentRef(baseOffset, known), cancellationToken).ConfigureAwait(false) is { } info)
        {
            return info;
        }

        // Gone, or compacted since: the generations that exist now tell.
        int? newest = null;
        await foreach (BlobItem item in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, StorageNames.SegmentGenerationsPrefix(partition, baseOffset), cancellationToken).ConfigureAwait(false))
        {
            if (StorageNames.TryParseSegment(item.Name, out SegmentRef segment) && segment.BaseOffset == baseOffset)
            {
                newest = Math.Max(segment.Generation, newest ?? 0);
            }
        }

        if (newest is not { } generation || generation == known)
        {
            _generations.TryRemove((partition, baseOffset), out _);
            return null;
        }

        _generations[(partition, baseOffset)] = generation;
        return await PropertiesAsync(partition, new SegmentRef(baseOffset, generation), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<SegmentInfo?> GetGenerationAsync(TopicPartition partition, SegmentRef segment, CancellationToken cancellationToken) =>
        PropertiesAsync(partition, segment, cancellationToken);

    private async Task<SegmentInfo?> PropertiesAsync(TopicPartition partition, SegmentRef segment, CancellationToken cancellationToken)
    {
        try
        {
            Response<BlobProperties> properties = await container.GetBlobClient(StorageNames.Segment(partition, segment)).GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return new SegmentInfo(segment.BaseOffset, properties.Value.ContentLength, properties.Value.BlobCommittedBlockCount, SegmentLimits.FromMetadata(properties.Value.Metadata), segment.Generation);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async Task<bool> CreateSegmentAsync(TopicPartition partition, long baseOffset, SegmentLimits limits, CancellationToken cancellationToken)
    {
        try
        {
            // The seal rule goes into the blob's metadata in the same call that creates it: no writer ever sees the segment without it.
            var options = new AppendBlobCreateOptions { Conditions = new AppendBlobRequestConditions { IfNoneMatch = ETag.All }, Metadata = limits.ToMetadata() };
            await Blob(partition, baseOffset).CreateAsync(options, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public async Task<AppendOutcome> AppendAsync(TopicPartition partition, long baseOffset, ReadOnlyMemory<byte> data, long expectedPosition, long maxSize, CancellationToken cancellationToken)
    {
        var options = new AppendBlobAppendBlockOptions
        {
            Conditions = new AppendBlobRequestConditions
            {
                IfAppendPositionEqual = expectedPosition,
                IfMaxSizeLessThanOrEqual = maxSize,
            },
        };
        try
        {
            using Stream content = BinaryData.FromBytes(data).ToStream();
            Response<BlobAppendInfo> response = await Blob(partition, baseOffset).AppendBlockAsync(content, options, cancellationToken).ConfigureAwait(false);
            return new AppendOutcome(AppendStatus.Appended, response.Value.BlobCommittedBlockCount);
        }
        catch (RequestFailedException ex) when (ex.Status == 412 && ex.ErrorCode == BlobErrorCode.AppendPositionConditionNotMet)
        {
            return new AppendOutcome(AppendStatus.PositionMismatch);
        }
        catch (RequestFailedException ex) when (ex.Status == 412 && ex.ErrorCode == BlobErrorCode.MaxBlobSizeConditionNotMet)
        {
            return new AppendOutcome(AppendStatus.MaxSizeExceeded);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return new AppendOutcome(AppendStatus.SegmentMissing);
        }
        catch (RequestFailedException ex) when (ex.Status == 409 && ex.ErrorCode == BlobErrorCode.BlockCountExceedsLimit)
        {
            return new AppendOutcome(AppendStatus.MaxSizeExceeded);
        }
    }

    /// <inheritdoc />
    public async Task<int> ReadAsync(TopicPartition partition, SegmentRef segment, long position, Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (destination.IsEmpty)
        {
            return 0;
        }

        try
        {
            var options = new BlobDownloadOptions { Range = new HttpRange(position, destination.Length) };
            Response<BlobDownloadStreamingResult> response = await container.GetBlobClient(StorageNames.Segment(partition, segment)).DownloadStreamingAsync(options, cancellationToken).ConfigureAwait(false);
            Stream stream = response.Value.Content;
            await using (stream.ConfigureAwait(false))
            {
                return await stream.ReadAtLeastAsync(destination, destination.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw new SegmentMissingException($"Segment {segment} of {partition} does not exist.", ex);
        }
        catch (RequestFailedException ex) when (ex.Status == 416)
        {
            return 0;
        }
    }

    /// <inheritdoc />
    public async Task<(SegmentInfo? Info, int Read)> ReadFromAsync(TopicPartition partition, long baseOffset, long position, Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (_generations.ContainsKey((partition, baseOffset)) || destination.IsEmpty)
        {
            return (await GetSegmentAsync(partition, baseOffset, cancellationToken).ConfigureAwait(false), 0); // compacted: nothing to append to
        }

        try
        {
            // A ranged read answers the blob's length (Content-Range), committed block count and metadata as well. It
            // starts a byte early, so that a writer that is not behind gets that byte (206) rather than a refusal (416).
            long start = position > 0 ? position - 1 : 0;
            int skip = (int)(position - start);
            var options = new BlobDownloadOptions { Range = new HttpRange(start, destination.Length + skip) };
            Response<BlobDownloadStreamingResult> response = await Blob(partition, baseOffset).DownloadStreamingAsync(options, cancellationToken).ConfigureAwait(false);
            using BlobDownloadStreamingResult result = response.Value;
            if (!TryTotalLength(result.Details.ContentRange, out long length))
            {
                return (await GetSegmentAsync(partition, baseOffset, cancellationToken).ConfigureAwait(false), 0);
            }

            var info = new SegmentInfo(baseOffset, length, result.Details.BlobCommittedBlockCount, SegmentLimits.FromMetadata(result.Details.Metadata), 0);
            int wanted = (int)Math.Clamp(length - position, 0, destination.Length);
            if (wanted == 0)
            {
                return (info, 0);
            }

            Stream stream = result.Content;
            await stream.ReadAtLeastAsync(destination[..skip], skip, throwOnEndOfStream: true, cancellationToken).ConfigureAwait(false); // the byte before
            return (info, await stream.ReadAtLeastAsync(destination[..wanted], wanted, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false));
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 416)
        {
            // Gone or compacted (the look finds out which), or an empty segment or one shorter than the position.
            return (await GetSegmentAsync(partition, baseOffset, cancellationToken).ConfigureAwait(false), 0);
        }
    }

    // "bytes 100-199/500": the total after the slash.
    private static bool TryTotalLength(string? contentRange, out long length)
    {
        length = 0;
        int slash = contentRange?.LastIndexOf('/') ?? -1;
        return slash >= 0 && long.TryParse(contentRange.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out length);
    }

    /// <inheritdoc />
    public async Task<bool> DeleteSegmentAsync(TopicPartition partition, long baseOffset, CancellationToken cancellationToken)
    {
        // Generation 0 first: the segment is gone for writers and readers from that step; compacted ones follow.
        bool deleted = (await Blob(partition, baseOffset).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        await foreach (BlobItem item in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, StorageNames.SegmentGenerationsPrefix(partition, baseOffset), cancellationToken).ConfigureAwait(false))
        {
            if (StorageNames.TryParseSegment(item.Name, out SegmentRef segment) && segment.BaseOffset == baseOffset)
            {
                deleted |= (await container.GetBlobClient(item.Name).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            }
        }

        _generations.TryRemove((partition, baseOffset), out _);
        return deleted;
    }

    /// <inheritdoc />
    public ISegmentUpload BeginRewrite(TopicPartition partition, SegmentRef segment) =>
        new BlockUpload(container.GetBlockBlobClient(StorageNames.Segment(partition, segment)));

    /// <inheritdoc />
    public async Task<bool> DeleteGenerationAsync(TopicPartition partition, SegmentRef segment, CancellationToken cancellationToken)
    {
        Response<bool> response = await container.GetBlobClient(StorageNames.Segment(partition, segment)).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.Value;
    }

    /// <summary>A compacted generation: staged blocks, then one conditional Put Block List that creates the blob whole.</summary>
    private sealed class BlockUpload(BlockBlobClient blob) : ISegmentUpload
    {
        private readonly List<string> _blocks = [];
        private readonly Guid _upload = Guid.NewGuid(); // uncommitted blocks belong to the blob name: ids unique per upload

        public async Task StageAsync(ReadOnlyMemory<byte> block, CancellationToken cancellationToken)
        {
            string id = Convert.ToBase64String([.. _upload.ToByteArray(), .. BitConverter.GetBytes((long)_blocks.Count)]);
            using Stream content = BinaryData.FromBytes(block).ToStream();
            await blob.StageBlockAsync(id, content, cancellationToken: cancellationToken).ConfigureAwait(false);
            _blocks.Add(id);
        }

        public async Task<bool> CommitAsync(CancellationToken cancellationToken)
        {
            try
            {
                var options = new CommitBlockListOptions
                {
                    Metadata = SegmentLimits.Rewritten.ToMetadata(),
                    Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                };
                await blob.CommitBlockListAsync(_blocks, options, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                return false;
            }
        }
    }

    private AppendBlobClient Blob(TopicPartition partition, long baseOffset) =>
        container.GetAppendBlobClient(StorageNames.Segment(partition, baseOffset));
}

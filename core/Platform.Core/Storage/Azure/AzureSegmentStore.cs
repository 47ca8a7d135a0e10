using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Platform.Core.Log;

namespace Platform.Core.Storage.Azure;

/// <summary>Segments as append blobs in one container: <c>{topic}/{partition:D5}/{baseOffset:D20}.seg</c>.</summary>
public sealed class AzureSegmentStore(BlobContainerClient container) : ISegmentStore, IProvisionedStore
{
    /// <inheritdoc />
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken) =>
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task<IReadOnlyList<long>> ListSegmentsAsync(TopicPartition partition, CancellationToken cancellationToken)
    {
        var result = new List<long>();
        await foreach (BlobItem item in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, StorageNames.SegmentPrefix(partition), cancellationToken).ConfigureAwait(false))
        {
            if (StorageNames.TryParseSegmentBaseOffset(item.Name, out long baseOffset))
            {
                result.Add(baseOffset);
            }
        }

        result.Sort();
        return result;
    }

    /// <inheritdoc />
    public async Task<SegmentInfo?> GetSegmentAsync(TopicPartition partition, long baseOffset, CancellationToken cancellationToken)
    {
        try
        {
            Response<BlobProperties> properties = await Blob(partition, baseOffset).GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return new SegmentInfo(baseOffset, properties.Value.ContentLength, properties.Value.BlobCommittedBlockCount, SegmentLimits.FromMetadata(properties.Value.Metadata));
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
    public async Task<int> ReadAsync(TopicPartition partition, long baseOffset, long position, Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (destination.IsEmpty)
        {
            return 0;
        }

        try
        {
            var options = new BlobDownloadOptions { Range = new HttpRange(position, destination.Length) };
            Response<BlobDownloadStreamingResult> response = await Blob(partition, baseOffset).DownloadStreamingAsync(options, cancellationToken).ConfigureAwait(false);
            Stream stream = response.Value.Content;
            await using (stream.ConfigureAwait(false))
            {
                return await stream.ReadAtLeastAsync(destination, destination.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw new SegmentMissingException($"Segment {baseOffset} of {partition} does not exist.", ex);
        }
        catch (RequestFailedException ex) when (ex.Status == 416)
        {
            return 0;
        }
    }

    /// <inheritdoc />
    public async Task<bool> DeleteSegmentAsync(TopicPartition partition, long baseOffset, CancellationToken cancellationToken)
    {
        Response<bool> response = await Blob(partition, baseOffset).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.Value;
    }

    private AppendBlobClient Blob(TopicPartition partition, long baseOffset) =>
        container.GetAppendBlobClient(StorageNames.Segment(partition, baseOffset));
}

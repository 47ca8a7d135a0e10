using Microsoft.Extensions.Logging;
using Platform.Core.Log.Batches;
using Platform.Core.Log.Topics;

namespace Platform.Core.Log.Appending;

/// <summary>A partition's appender and the topic settings it appends with, which a topic change updates in place.</summary>
internal sealed class AppenderSlot
{
    private readonly Lazy<(PartitionAppender Appender, PartitionWriter Writer)> _lazy;
    private volatile TopicConfig _config;

    public AppenderSlot(TopicConfig config, Func<(PartitionWriter Writer, ILogger Logger)> createWriter, Func<PartitionWriter, ILogger, Func<CompressionCodec>, PartitionAppender> createAppender)
    {
        _config = config;
        CreatedAt = config.CreatedAt;
        _lazy = new Lazy<(PartitionAppender, PartitionWriter)>(() =>
        {
            (PartitionWriter writer, ILogger logger) = createWriter();
            return (createAppender(writer, logger, () => _config.Compression), writer);
        });
    }

    public long CreatedAt { get; }

    public bool IsCreated => _lazy.IsValueCreated;

    public PartitionAppender Appender => _lazy.Value.Appender;

    public void Apply(TopicConfig config)
    {
        if (ReferenceEquals(config, _config)) return;
        _config = config;
        _lazy.Value.Writer.SegmentMs = config.SegmentMs;
    }
}

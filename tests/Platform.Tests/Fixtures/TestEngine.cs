using Microsoft.Extensions.Logging.Abstractions;
using Platform.Core.Log.Appending;
using Platform.Core.Log.Reading;
using Platform.Core.Log.Topics;
using Platform.Core.Options;
using Platform.Core.Storage;

namespace Platform.Tests.Fixtures;

/// <summary>
/// One instance of the engine over shared stores: two of them over the same stores behave as two
/// processes (own appenders, own producer identities, own in-memory state).
/// </summary>
public sealed class TestEngine : IAsyncDisposable
{
    public TestEngine(StorageSet stores, LogOptions? options = null, TimeProvider? time = null, IOffsetIndex? index = null)
    {
        Options = options ?? new LogOptions();
        var validation = new LogOptionsValidator().Validate(null, Options);
        if (validation.Failed)
        {
            throw new InvalidOperationException(validation.FailureMessage);
        }

        Time = time ?? TimeProvider.System;
        Segments = stores.Segments;
        Index = index ?? stores.Index;
        Topics = new TopicManager(stores.Topics, Time);
        IndexWriter = new OffsetIndexWriter(Index, Microsoft.Extensions.Options.Options.Create(Options), NullLogger<OffsetIndexWriter>.Instance);
        Producer = new LogProducer(Topics, stores.Segments, IndexWriter, Microsoft.Extensions.Options.Options.Create(Options), Time, NullLoggerFactory.Instance);
        Reader = new LogReader(Topics, stores.Segments, Index);
        Rebuilder = new OffsetIndexRebuilder(stores.Segments, Index, Microsoft.Extensions.Options.Options.Create(Options));
    }

    public LogOptions Options { get; }

    public Platform.Core.Storage.ISegmentStore Segments { get; }

    public TimeProvider Time { get; }

    public IOffsetIndex Index { get; }

    public TopicManager Topics { get; }

    public OffsetIndexWriter IndexWriter { get; }

    public LogProducer Producer { get; }

    public LogReader Reader { get; }

    public OffsetIndexRebuilder Rebuilder { get; }

    public async ValueTask DisposeAsync()
    {
        await Producer.DisposeAsync();
        await IndexWriter.DisposeAsync();
    }
}

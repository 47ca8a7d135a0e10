using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Platform.Core.Log;
using Platform.Core.Log.Topics;

namespace Platform.Core.Ingestion.Otlp;

/// <summary>Creates the OTLP topics at start when they do not exist yet.</summary>
internal sealed class OtlpTopicsProvisioner(TopicManager topics, IOptions<OtlpOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        OtlpOptions o = options.Value;
        foreach (string name in new[] { o.LogsTopic, o.MetricsTopic, o.TracesTopic })
        {
            if (await topics.FindAsync(name, cancellationToken).ConfigureAwait(false) is not null)
            {
                continue;
            }

            try
            {
                await topics.CreateAsync(new TopicConfig { Name = name, Partitions = o.TopicPartitions, Compression = Log.Batches.CompressionCodec.Zstd }, cancellationToken).ConfigureAwait(false);
            }
            catch (LogException ex) when (ex.Kind == LogErrorKind.TopicAlreadyExists)
            {
                // Another instance created it first.
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

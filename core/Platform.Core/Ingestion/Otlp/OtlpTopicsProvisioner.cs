using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.Core.Log.Topics;

namespace Platform.Core.Ingestion.Otlp;

/// <summary>
/// Creates the OTLP topics at start when they do not exist yet. Never takes the app down: when storage fails, the
/// failure is logged and start-up goes on (OTLP requests answer 503 until it is reachable).
/// </summary>
internal sealed partial class OtlpTopicsProvisioner(TopicManager topics, IOptions<OtlpOptions> options, ILogger<OtlpTopicsProvisioner> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        OtlpOptions o = options.Value;
        foreach (string name in new[] { o.LogsTopic, o.MetricsTopic, o.TracesTopic })
        {
            try
            {
                await topics.EnsureAsync(new TopicConfig { Name = name, Partitions = o.TopicPartitions, Compression = Log.Batches.CompressionCodec.Zstd }, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                LogFailed(logger, ex, name);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not create OTLP topic {Topic}; the app starts anyway and OTLP requests fail until storage is reachable")]
    private static partial void LogFailed(ILogger logger, Exception exception, string topic);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

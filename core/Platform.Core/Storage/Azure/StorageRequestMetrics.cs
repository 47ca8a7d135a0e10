using System.Diagnostics;
using System.Diagnostics.Metrics;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Platform.Core.Storage.Azure;

/// <summary>
/// Every storage request the platform sends, each try of it, counted on meter <c>Platform.Storage</c> as
/// <c>platform.storage.requests</c> by service, operation and status: what an acknowledged record costs in storage
/// calls (failed conditional appends and tail reads included), the figure that decides an account's request budget.
/// </summary>
public sealed class StorageRequestMetrics : HttpPipelinePolicy
{
    /// <summary>Meter name, for <c>AddMeter</c>.</summary>
    public const string MeterName = "Platform.Storage";

    /// <summary>The counter's name.</summary>
    public const string RequestsInstrument = "platform.storage.requests";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Requests = Meter.CreateCounter<long>(RequestsInstrument, "{request}", "Storage requests sent (each try), by service, operation and status.");

    private readonly string _service;

    /// <summary>A policy for the clients of one service (<c>blob</c>, <c>table</c>, <c>queue</c>).</summary>
    public StorageRequestMetrics(string service) => _service = service;

    /// <inheritdoc />
    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        ArgumentNullException.ThrowIfNull(message);
        try
        {
            ProcessNext(message, pipeline);
        }
        finally
        {
            Count(message);
        }
    }

    /// <inheritdoc />
    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        ArgumentNullException.ThrowIfNull(message);
        try
        {
            await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
        }
        finally
        {
            Count(message);
        }
    }

    private void Count(HttpMessage message)
    {
        int status = message.HasResponse ? message.Response.Status : 0;
        Requests.Add(1, new TagList { { "service", _service }, { "operation", Operation(message.Request) }, { "status", status } });
    }

    // Bounded names: the method and the `comp` of the query (appendblock, metadata, list, ...), never a blob or key name.
    private static string Operation(Request request)
    {
        string query = request.Uri.Query;
        int comp = query.IndexOf("comp=", StringComparison.Ordinal);
        string method = request.Method.Method;
        if (comp < 0)
        {
            return request.Headers.Contains("x-ms-range") || request.Headers.Contains("Range") ? $"{method} range" : method;
        }

        int start = comp + 5;
        int end = query.IndexOf('&', start);
        string name = end < 0 ? query[start..] : query[start..end];
        return name.Length <= 20 && name.All(char.IsAsciiLetterLower) ? $"{method} {name}" : method;
    }
}

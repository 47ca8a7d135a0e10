using Azure.Core;
using Azure.Core.Pipeline;

namespace Platform.Tests.Fixtures;

/// <summary>
/// Lets an append block request reach the service, then throws as if the connection dropped before
/// the response arrived: the append happened, the client does not know it.
/// </summary>
public sealed class LoseAppendResponsesPolicy(double probability, int seed) : HttpPipelinePolicy
{
    private readonly Random _random = new(seed);
    private int _lost;

    public int Lost => Volatile.Read(ref _lost);

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        await ProcessNextAsync(message, pipeline);
        LoseMaybe(message);
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        ProcessNext(message, pipeline);
        LoseMaybe(message);
    }

    private void LoseMaybe(HttpMessage message)
    {
        bool isAppend = message.Request.Method == RequestMethod.Put && message.Request.Uri.Query.Contains("comp=appendblock", StringComparison.Ordinal);
        if (!isAppend || message.Response.Status != 201)
        {
            return;
        }

        bool lose;
        lock (_random)
        {
            lose = _random.NextDouble() < probability;
        }

        if (lose)
        {
            Interlocked.Increment(ref _lost);
            throw new IOException("Simulated: the response of an applied append was lost.");
        }
    }
}

using Azure.Core;
using Azure.Core.Pipeline;

namespace Platform.Tests.Fixtures;

/// <summary>Counts the requests an Azure SDK client sends, to prove what a code path costs in storage calls.</summary>
public sealed class CountingPolicy : HttpPipelineSynchronousPolicy
{
    private int _requests;

    public int Requests => Volatile.Read(ref _requests);

    public override void OnSendingRequest(HttpMessage message) => Interlocked.Increment(ref _requests);
}

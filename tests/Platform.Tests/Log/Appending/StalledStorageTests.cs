using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Platform.Core.Log;
using Platform.Core.Log.Topics;
using Platform.Core.Options;
using Platform.Core.Storage;
using Platform.Core.Storage.Azure;
using Platform.Functions.Http;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Log.Appending;

/// <summary>Storage that stops answering: produce calls fail in bounded time, unacknowledged, and the partition recovers.</summary>
public sealed class StalledStorageTests
{
    // Far beyond every deadline under test, far below the SDK defaults (100 s a try, 4 tries): reaching it means a deadline was ignored.
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task An_append_that_hangs_fails_at_the_append_deadline_and_the_next_append_follows_what_landed()
    {
        StorageSet memory = StorageSet.InMemory();
        await using var engine = new TestEngine(memory with { Segments = new HangingSegmentStore(memory.Segments, hangs: 1) }, new LogOptions { AppendTimeout = TimeSpan.FromSeconds(1) });
        await engine.Topics.CreateAsync(new TopicConfig { Name = "stall", Partitions = 1 }, default);

        var failed = await Assert.ThrowsAsync<LogException>(() => engine.Producer.ProduceAsync("stall", [Records.Text("landed, never acknowledged")], default).WaitAsync(Guard));
        Assert.Equal(LogErrorKind.AppendFailed, failed.Kind);
        Assert.Contains("not acknowledged", failed.Message, StringComparison.Ordinal);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, HttpFailure.Classify(failed)!.Status);

        // The abandoned append did land: the writer reloads the partition and appends after it, no gap, no overwrite.
        var next = await engine.Producer.ProduceAsync("stall", [Records.Text("after")], default).WaitAsync(Guard);
        Assert.Equal(1, next.Records[0].Offset);
        Assert.Equal(["landed, never acknowledged", "after"], (await Records.ReadAllAsync(engine.Reader, "stall", 0)).Select(r => r.Text()));
    }

    [Fact]
    public async Task A_storage_endpoint_that_never_answers_fails_a_call_within_the_try_timeout_as_a_retriable_503()
    {
        // Accepts connections, reads nothing, answers nothing.
        using var blackhole = new TcpListener(IPAddress.Loopback, 0);
        blackhole.Start();
        int port = ((IPEndPoint)blackhole.LocalEndpoint).Port;
        var accepted = new System.Collections.Concurrent.ConcurrentBag<Socket>();
        _ = Task.Run(async () =>
        {
            while (true)
            {
                try
                {
                    accepted.Add(await blackhole.AcceptSocketAsync());
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
                catch (SocketException)
                {
                    return;
                }
            }
        });

        var options = new StorageOptions
        {
            ConnectionString = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;",
            TryTimeout = TimeSpan.FromSeconds(1),
            MaxRetries = 1,
        };
        var store = new AzureSegmentStore(StorageClients.Blobs(options).GetBlobContainerClient("log"));

        Exception failure = await Assert.ThrowsAnyAsync<Exception>(() => store.ListSegmentsAsync(new TopicPartition("t", 0), default).WaitAsync(Guard));
        Assert.IsNotType<TimeoutException>(failure);
        Assert.True(StorageErrors.IsAmbiguous(failure, CancellationToken.None), failure.ToString());
        HttpFailure http = HttpFailure.Classify(failure)!;
        Assert.Equal((StatusCodes.Status503ServiceUnavailable, TimeSpan.FromSeconds(2)), (http.Status, http.RetryAfter!.Value));
        Assert.True(accepted.Count >= 2, $"the client tried {accepted.Count} times; with MaxRetries 1 it should try twice");
        blackhole.Stop();
        foreach (Socket s in accepted)
        {
            s.Dispose();
        }
    }
}

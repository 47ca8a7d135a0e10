using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using MimeKit;
using Platform.Benchmarks.Hosts;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Platform.Tests.Notifications;

/// <summary>A real SMTP server (the SmtpServer package) on a free loopback port that keeps what it receives, or refuses with a 4xx.</summary>
public sealed class SmtpTestServer : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;

    private SmtpTestServer(int port, Store store, Task running)
    {
        Port = port;
        _store = store;
        _running = running;
    }

    private readonly Store _store;

    public int Port { get; }

    public ConcurrentQueue<MimeMessage> Messages => _store.Messages;

    /// <summary>While true, every message is refused with 451 (try again later).</summary>
    public bool Refuse { get => _store.Refuse; set => _store.Refuse = value; }

    public static SmtpTestServer Start()
    {
        var port = FreePort.Next();
        var options = new SmtpServerOptionsBuilder().ServerName("localhost")
            .Endpoint(b => b.Endpoint(new IPEndPoint(IPAddress.Loopback, port))).Build();
        var store = new Store();
        var provider = new SmtpServer.ComponentModel.ServiceProvider();
        provider.Add(store);
        var server = new SmtpServer.SmtpServer(options, provider);
        var stop = new CancellationTokenSource();
        var test = new SmtpTestServer(port, store, server.StartAsync(stop.Token));
        test._stop.Token.Register(stop.Cancel);
        return test;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _running;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }

    private sealed class Store : MessageStore
    {
        public ConcurrentQueue<MimeMessage> Messages { get; } = new();

        public volatile bool Refuse;

        public override Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            if (Refuse) return Task.FromResult(new SmtpResponse((SmtpReplyCode)451, "try again later"));
            using var stream = new MemoryStream(buffer.ToArray());
            Messages.Enqueue(MimeMessage.Load(stream, cancellationToken));
            return Task.FromResult(SmtpResponse.Ok);
        }
    }
}

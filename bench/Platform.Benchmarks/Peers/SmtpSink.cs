using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using MimeKit;
using System.Diagnostics;
using Platform.Benchmarks.Hosts;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Platform.Benchmarks.Peers;

/// <summary>
/// A real SMTP server (the SmtpServer package) on a free loopback port that keeps what it receives, with the time it
/// accepted each (a <see cref="Stopwatch"/> timestamp), or refuses with 451 while <see cref="Refuse"/> is set.
/// </summary>
internal sealed class SmtpSink : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;

    private SmtpSink(int port, Store store, Task running)
    {
        Port = port;
        _store = store;
        _running = running;
    }

    private readonly Store _store;

    public int Port { get; }

    public ConcurrentQueue<MimeMessage> Messages => _store.Messages;

    /// <summary>Subject and <see cref="Stopwatch.GetTimestamp"/> of each accepted message, in order.</summary>
    public ConcurrentQueue<(string Subject, long AcceptedAt)> Accepted => _store.Accepted;

    /// <summary>While true, every message is refused with 451 (try again later).</summary>
    public bool Refuse { get => _store.Refuse; set => _store.Refuse = value; }

    public static SmtpSink Start()
    {
        var port = FreePort.Next();
        var options = new SmtpServerOptionsBuilder().ServerName("localhost")
            .Endpoint(b => b.Endpoint(new IPEndPoint(IPAddress.Loopback, port))).Build();
        var store = new Store();
        var provider = new SmtpServer.ComponentModel.ServiceProvider();
        provider.Add(store);
        var server = new SmtpServer.SmtpServer(options, provider);
        var stop = new CancellationTokenSource();
        var test = new SmtpSink(port, store, server.StartAsync(stop.Token));
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

        public ConcurrentQueue<(string Subject, long AcceptedAt)> Accepted { get; } = new();

        public volatile bool Refuse;

        public override Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            if (Refuse) return Task.FromResult(new SmtpResponse((SmtpReplyCode)451, "try again later"));
            using var stream = new MemoryStream(buffer.ToArray());
            var message = MimeMessage.Load(stream, cancellationToken);
            Messages.Enqueue(message);
            Accepted.Enqueue((message.Subject ?? "", Stopwatch.GetTimestamp()));
            return Task.FromResult(SmtpResponse.Ok);
        }
    }
}

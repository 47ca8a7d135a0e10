using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Platform.Benchmarks.Hosts;
using Platform.Benchmarks.Peers;

namespace Platform.Benchmarks;

/// <summary>What the notifications section measured.</summary>
internal sealed record NotificationResult(int Backlog, TimeSpan DrainElapsed, TimeSpan FirstMailAfter, int RawMails, TimeSpan RawElapsed,
    int LatencyMails, double RatePerSecond, double P50Ms, double P99Ms, int Duplicates);

/// <summary>
/// The notification delivery job on the local host (its own process, Azurite): (1) e-mails per second into a local
/// SMTP server from a backlog of notifications produced while the job was off, beside (2) the raw rate at which one
/// MailKit connection sends the same mails to the same server in the same run (the floor), and (3) the latency from a
/// produce call's acknowledgement to the SMTP server's acceptance at a steady offered rate (open loop).
/// </summary>
internal static class NotificationBenchmark
{
    private const string AdminKey = "bench-notify-admin-key-0123456789";

    public static async Task<NotificationResult> RunAsync(string storage, string mode, string outDir, Action<string> step)
    {
        var backlog = mode == "smoke" ? 500 : 10_000;
        await using var smtp = SmtpSink.Start();

        step($"notifications: raw MailKit floor ({Math.Min(backlog, 2_000):N0} mails on one connection)");
        var (rawMails, rawElapsed) = await RawMailKitAsync(smtp, Math.Min(backlog, 2_000));
        while (smtp.Messages.TryDequeue(out _)) { }
        while (smtp.Accepted.TryDequeue(out _)) { }

        var id = Guid.NewGuid().ToString("N")[..8];
        (string, string)[] storageNames =
        [
            ("Platform:Storage:LogContainer", $"notify-{id}"),
            ("Platform:Storage:TablePrefix", $"nb{id}"),
            ("Platform:Consumers:WakeupQueue", $"notify-{id}"),
        ];
        var log = Path.Combine(outDir, "notification-host.log");

        step($"notifications: a backlog of {backlog:N0} produced with the job off");
        await using (var off = await LocalHostProcess.StartAsync(storage, AdminKey, log, storageNames))
        {
            using var client = Client(off.Functions);
            (await client.PostAsJsonAsync("api/topics", new { name = "notifications", partitions = 4 })).EnsureSuccessStatusCode();
            (await client.PostAsJsonAsync("api/topics", new { name = "notifications.status", partitions = 1 })).EnsureSuccessStatusCode();
            for (var start = 0; start < backlog; start += 500)
            {
                await ProduceAsync(client, Enumerable.Range(start, Math.Min(500, backlog - start)).Select(i => $"b-{i}"));
            }
        }

        step("notifications: the job drains the backlog");
        (string, string)[] on =
        [
            .. storageNames,
            ("Platform:Notifications:Smtp:Host", "127.0.0.1"),
            ("Platform:Notifications:Smtp:Port", smtp.Port.ToString(CultureInfo.InvariantCulture)),
            ("Platform:Notifications:Smtp:Security", "None"),
            // A backlog found at start waits for the sweep (every 5 minutes by default): sooner here, so the run measures sending.
            ("Platform:Consumers:SweepSchedule", "*/5 * * * * *"),
        ];
        var started = Stopwatch.GetTimestamp();
        await using var host = await LocalHostProcess.StartAsync(storage, AdminKey, log, on);
        var deadline = Stopwatch.StartNew();
        while (smtp.Accepted.Count < backlog && deadline.Elapsed < TimeSpan.FromMinutes(30)) await Task.Delay(100);
        var accepted = smtp.Accepted.ToArray();
        if (accepted.Length < backlog) throw new InvalidOperationException($"only {accepted.Length} of {backlog} mails arrived in 30 minutes; see {log}");
        var drain = Stopwatch.GetElapsedTime(accepted[0].AcceptedAt, accepted[^1].AcceptedAt);
        var firstAfter = Stopwatch.GetElapsedTime(started, accepted[0].AcceptedAt);

        var latencyMails = mode == "smoke" ? 100 : 1_000;
        var rate = 10.0;
        step($"notifications: latency of {latencyMails:N0} produced at {rate} per second");
        var produced = new Dictionary<string, long>();
        using (var client = Client(host.Functions))
        {
            var pace = Stopwatch.StartNew();
            for (var i = 0; i < latencyMails; i++)
            {
                var due = TimeSpan.FromSeconds(i / rate);
                if (pace.Elapsed < due) await Task.Delay(due - pace.Elapsed);
                await ProduceAsync(client, [$"l-{i}"]);
                produced[$"l-{i}"] = Stopwatch.GetTimestamp();
            }
        }
        deadline.Restart();
        while (smtp.Accepted.Count < backlog + latencyMails && deadline.Elapsed < TimeSpan.FromMinutes(5)) await Task.Delay(100);
        var latencies = smtp.Accepted.Where(a => produced.ContainsKey(a.Subject))
            .Select(a => Stopwatch.GetElapsedTime(produced[a.Subject], a.AcceptedAt).TotalMilliseconds).Order().ToArray();
        var duplicates = smtp.Accepted.Count - smtp.Accepted.Select(a => a.Subject).Distinct().Count();
        return new NotificationResult(backlog, drain, firstAfter, rawMails, rawElapsed, latencies.Length, rate,
            Percentile(latencies, 0.50), Percentile(latencies, 0.99), duplicates);
    }

    private static async Task ProduceAsync(HttpClient client, IEnumerable<string> ids)
    {
        var records = ids.Select(n => new { key = n, value = (object)new { id = n, to = new { email = new[] { $"{n}@example.com" } }, subject = n, body = new { text = Body(n) } } }).ToArray();
        using var response = await client.PostAsJsonAsync("api/topics/notifications/records", new { records });
        response.EnsureSuccessStatusCode();
    }

    private static string Body(string id) => $"Hello, this is notification {id}. " + new string('.', 400);

    private static async Task<(int Mails, TimeSpan Elapsed)> RawMailKitAsync(SmtpSink smtp, int mails)
    {
        using var client = new SmtpClient();
        // As the platform connects: Nagle off (SMTP is a chatty request/response protocol).
        var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(System.Net.IPAddress.Loopback, smtp.Port);
        await client.ConnectAsync(socket, "127.0.0.1", smtp.Port, SecureSocketOptions.None);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < mails; i++)
        {
            var message = new MimeMessage();
            message.From.Add(MailboxAddress.Parse("platform@localhost"));
            message.To.Add(MailboxAddress.Parse($"r-{i}@example.com"));
            message.Subject = $"r-{i}";
            message.Body = new BodyBuilder { TextBody = Body($"r-{i}") }.ToMessageBody();
            await client.SendAsync(message);
        }
        var elapsed = watch.Elapsed;
        await client.DisconnectAsync(true);
        return (mails, elapsed);
    }

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static HttpClient Client(Uri baseAddress) => KeyedClient.Create(baseAddress, AdminKey, TimeSpan.FromSeconds(60));

    public static string Report(NotificationResult r)
    {
        var text = new StringBuilder();
        text.AppendLine("## Notifications: the delivery job into a local SMTP server");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Backlog: {r.Backlog:N0} notifications (one recipient each) produced while the job was off, then drained by one local host (4 partitions, one SMTP connection): **{r.Backlog / r.DrainElapsed.TotalSeconds:N0} e-mails/s** ({r.DrainElapsed.TotalSeconds:N1} s from the first mail to the last; the first arrived {r.FirstMailAfter.TotalSeconds:N1} s after the host was started).");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Floor: MailKit alone, one connection, the same server and mail size: **{r.RawMails / r.RawElapsed.TotalSeconds:N0} e-mails/s** ({r.RawMails:N0} in {r.RawElapsed.TotalSeconds:N1} s).");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Latency from the produce call's acknowledgement to the SMTP server's acceptance, {r.LatencyMails:N0} notifications offered at {r.RatePerSecond:N0}/s: **p50 {r.P50Ms:N0} ms, p99 {r.P99Ms:N0} ms**. Duplicated mails: {r.Duplicates}.");
        return text.ToString();
    }
}

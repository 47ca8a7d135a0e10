using Platform.Benchmarks.Peers;
using System.Net.Http.Json;
using System.Text.Json;
using Platform.Benchmarks.Hosts;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Notifications;

/// <summary>
/// The delivery job on the real stack, in its own process, killed with SIGKILL twice mid-run while the SMTP server
/// refuses (451) for a while: every recipient of 1,000 notifications gets its mail, once, and every outcome is answered.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class NotificationCrashTests(AzuriteFixture azurite, Xunit.Abstractions.ITestOutputHelper output)
{
    private const string AdminKey = "notify-crash-admin-key-0123456789";
    private const int Kills = 2;

    [Fact]
    public async Task A_thousand_notifications_survive_two_sigkills_and_a_refusing_smtp_server_each_sent_once()
    {
        string id = Guid.NewGuid().ToString("N")[..8];
        await using var smtp = SmtpSink.Start();
        smtp.Refuse = true;
        (string, string)[] settings =
        [
            ("Platform:Storage:LogContainer", $"ncrash-{id}"),
            ("Platform:Storage:TablePrefix", $"n{id}"),
            ("Platform:Consumers:WakeupQueue", $"ncrash-{id}"),
            ("Platform:Consumers:ClaimDuration", "00:00:04"),
            ("Platform:Consumers:SweepSchedule", "*/2 * * * * *"),
            ("Platform:Notifications:Smtp:Host", "127.0.0.1"),
            ("Platform:Notifications:Smtp:Port", smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("Platform:Notifications:Smtp:Security", "None"),
            ("Platform:Notifications:Retry:InitialDelay", "00:00:01"),
            ("Platform:Notifications:Retry:MaxDelay", "00:00:03"),
            ("Platform:Notifications:SendingTimeout", "00:00:40"),
            ("Platform:Notifications:DispatchSchedule", "*/1 * * * * *"),
        ];
        string hostLog = Path.Combine(Path.GetTempPath(), $"ncrash-{id}.log");
        var host = await LocalHostProcess.StartAsync(azurite.ConnectionString, AdminKey, hostLog, settings);
        try
        {
            // 1,000 notifications, every fifth to two recipients: 1,200 mails expected.
            var expected = new HashSet<(string Id, string To)>();
            {
                for (var batch = 0; batch < 20; batch++)
                {
                    using var client = Client(host.Functions);
                    var records = Enumerable.Range(batch * 50, 50).Select(i =>
                    {
                        string[] to = i % 5 == 0 ? [$"u{i % 37}@example.com", $"v{i}@example.com"] : [$"u{i % 37}@example.com"];
                        foreach (var address in to) expected.Add(($"n-{i}", address));
                        return new { key = $"n-{i}", value = (object)new { id = $"n-{i}", to = new { email = to }, subject = $"n-{i}", body = new { text = $"notification {i}" } } };
                    }).ToArray();
                    using var produced = await client.PostAsJsonAsync("api/topics/notifications/records", new { records });
                    Assert.True(produced.IsSuccessStatusCode, await produced.Content.ReadAsStringAsync());
                    if (batch == 10)
                    {
                        // Half produced, the server refusing: the first kill.
                        await host.KillAsync();
                        await host.DisposeAsync();
                        host = await LocalHostProcess.StartAsync(azurite.ConnectionString, AdminKey, hostLog, settings);
                    }
                }
            }
            await Task.Delay(TimeSpan.FromSeconds(3));
            smtp.Refuse = false;
            // The second kill once sending is under way.
            var sendingDeadline = DateTime.UtcNow.AddSeconds(60);
            while (smtp.Messages.Count < 200 && DateTime.UtcNow < sendingDeadline) await Task.Delay(50);
            await host.KillAsync();
            await host.DisposeAsync();
            var sentAtKill = smtp.Messages.Count;
            host = await LocalHostProcess.StartAsync(azurite.ConnectionString, AdminKey, hostLog, settings);

            var deadline = DateTime.UtcNow.AddSeconds(180);
            HashSet<(string, string)> received = [];
            while (DateTime.UtcNow < deadline)
            {
                received = [.. smtp.Messages.Select(m => (m.Subject ?? "", m.To.Mailboxes.Single().Address))];
                if (expected.IsSubsetOf(received)) break;
                await Task.Delay(250);
            }
            var byMessage = smtp.Messages.GroupBy(m => (m.Subject ?? "", m.To.Mailboxes.Single().Address)).ToDictionary(g => g.Key, g => g.Count());
            var duplicates = byMessage.Where(m => m.Value > 1).ToList();
            output.WriteLine($"{expected.Count} mails expected, {smtp.Messages.Count} received ({sentAtKill} before the second kill), {duplicates.Count} duplicated: " +
                string.Join(", ", duplicates.Select(d => $"{d.Key} x{d.Value}")));
            Assert.Empty(expected.Except(received));
            Assert.Empty(received.Except(expected));
            // The documented window: a kill between the server's 250 and the `sent` record costs at most one resend per kill,
            // and the resend carries the same Message-Id.
            Assert.True(duplicates.Sum(d => d.Value - 1) <= Kills, $"{duplicates.Count} duplicates for {Kills} kills; the host's log is {hostLog}");
            Assert.All(smtp.Messages.GroupBy(m => (m.Subject ?? "", m.To.Mailboxes.Single().Address)), g => Assert.Single(g.Select(m => m.MessageId).Distinct()));

            // Every outcome is answered: sent for each recipient.
            using var reader = Client(host.Functions);
            foreach (var notification in expected.GroupBy(e => e.Id))
            {
                var outcome = JsonDocument.Parse(await reader.GetStringAsync($"api/notifications/{notification.Key}")).RootElement;
                var states = outcome.GetProperty("recipients").EnumerateArray().ToDictionary(r => r.GetProperty("recipient").GetString()!, r => r.GetProperty("state").GetString());
                Assert.All(notification, e => Assert.Equal("sent", states.GetValueOrDefault(e.To)));
            }
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    private static HttpClient Client(Uri baseAddress) => KeyedClient.Create(baseAddress, AdminKey);
}

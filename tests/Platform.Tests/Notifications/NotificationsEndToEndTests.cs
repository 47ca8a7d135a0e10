using Platform.Benchmarks.Peers;
using System.Net.Http.Json;
using System.Text.Json;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Notifications;

/// <summary>The README's example: a notification produced over HTTP arrives at a real SMTP server, and its outcome is queryable.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class NotificationsEndToEndTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_produced_notification_is_mailed_and_its_outcome_answered()
    {
        await using var smtp = SmtpSink.Start();
        await using var host = await LocalHost.StartAsync(azurite, "notify-e2e",
            ("Platform:Notifications:Smtp:Host", "127.0.0.1"), ("Platform:Notifications:Smtp:Port", smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("Platform:Notifications:Smtp:Security", "None"));
        using var produced = await host.Client.PostAsJsonAsync("/api/topics/notifications/records", new
        {
            records = new[] { new { key = "zoe@example.com", value = (object)new { id = "welcome-zoe", to = new { email = new[] { "zoe@example.com" } }, subject = "Welcome", body = new { text = "Hello Zoë" } } } },
        });
        Assert.True(produced.IsSuccessStatusCode, await produced.Content.ReadAsStringAsync());
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (smtp.Messages.IsEmpty && DateTime.UtcNow < deadline) await Task.Delay(100);
        var mail = Assert.Single(smtp.Messages);
        Assert.Equal("Welcome", mail.Subject);
        var outcome = JsonDocument.Parse(await host.Client.GetStringAsync("/api/notifications/welcome-zoe")).RootElement;
        Assert.Equal("sent", outcome.GetProperty("recipients")[0].GetProperty("state").GetString());
    }
}

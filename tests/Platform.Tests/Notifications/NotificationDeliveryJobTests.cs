using Platform.Benchmarks.Peers;
using Platform.Core.Consumers.Notifications;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Notifications;

/// <summary>The delivery job against a real SMTP server: MIME, templates, one send per recipient, bad messages dead-lettered, retries.</summary>
public sealed class NotificationDeliveryJobTests
{
    [Fact]
    public async Task A_templated_message_arrives_as_proper_mime_with_html_escaped()
    {
        await using var smtp = SmtpSink.Start();
        await using var rig = NotificationRig.ForSmtp(smtp);
        var (job, store, engine) = (rig.Job, rig.Store, rig.Engine);
        await store.PutTemplateAsync(new NotificationTemplate("order-shipped", "Votre commande {{ order }} est partie ✈",
            "Bonjour {{ name }}, commande {{ order }}.", "<p>Bonjour {{ name }}</p>"), default);
        var failures = await job.HandleAsync(rig.Batch("""
            {"id":"n-1","to":{"email":["zoë@example.com"]},"template":"order-shipped","data":{"name":"<Zoë>","order":"A-17"}}
            """), default);

        Assert.Empty(failures);
        var mail = Assert.Single(smtp.Messages);
        Assert.Equal("Votre commande A-17 est partie ✈", mail.Subject);
        Assert.Equal("Bonjour <Zoë>, commande A-17.", mail.TextBody?.Trim());
        Assert.Contains("&lt;Zo", mail.HtmlBody ?? "", StringComparison.Ordinal);
        Assert.Equal("multipart/alternative", mail.Body?.ContentType.MimeType);
        Assert.EndsWith("@platform.example", mail.MessageId, StringComparison.Ordinal);
        Assert.Contains("unsubscribe?recipient=", mail.Headers["List-Unsubscribe"] ?? "", StringComparison.Ordinal);
        Assert.Equal("sent", Assert.Single(await store.ListDeliveriesAsync("n-1", default)).State);
    }

    [Fact]
    public async Task A_message_handled_again_is_not_sent_again_and_bad_ones_are_dead_lettered_with_the_reason()
    {
        await using var smtp = SmtpSink.Start();
        await using var rig = NotificationRig.ForSmtp(smtp);
        var (job, store, engine) = (rig.Job, rig.Store, rig.Engine);
        var batch = rig.Batch(
            """{"id":"n-2","to":{"email":["a@example.com","b@example.com"]},"subject":"Hello","body":{"text":"Hi"}}""",
            """{"id":"n-3","to":{"email":["not an address"]},"subject":"x","body":{"text":"y"}}""",
            """{"id":"n-4","to":{"email":["a@example.com"]},"template":"missing"}""",
            "not json",
            """{"id":"n-5","to":{"email":["a@example.com"]},"subject":"Late","body":{"text":"y"},"expiresAt":"2020-01-01T00:00:00Z"}""");
        var failures = await job.HandleAsync(batch, default);
        await job.HandleAsync(batch, default);

        Assert.Equal(2, smtp.Messages.Count);
        Assert.Equal([1L, 2L, 3L], failures.Select(f => f.Offset));
        Assert.All(failures, f => Assert.False(f.Retriable));
        Assert.Contains("email", failures[0].Error, StringComparison.Ordinal);
        Assert.Contains("template 'missing' does not exist", failures[1].Error, StringComparison.Ordinal);
        Assert.Equal("expired", Assert.Single(await store.ListDeliveriesAsync("n-5", default)).State);
    }

    [Fact]
    public async Task An_smtp_server_that_refuses_for_a_while_gets_the_message_once_afterwards()
    {
        await using var smtp = SmtpSink.Start();
        await using var rig = NotificationRig.ForSmtp(smtp);
        var (job, store, engine) = (rig.Job, rig.Store, rig.Engine);
        var batch = rig.Batch("""{"id":"n-6","to":{"email":["a@example.com"]},"subject":"Hello","body":{"text":"Hi"}}""");
        smtp.Refuse = true;
        // Refused (4xx): parked for a retry with back-off, the offset is committed, the partition moves on.
        Assert.Empty(await job.HandleAsync(batch, default));
        Assert.Equal("retrying", Assert.Single(await store.ListDeliveriesAsync("n-6", default)).State);
        await rig.AdvanceAsync(TimeSpan.FromSeconds(7));
        Assert.Equal("retrying", await rig.StateAsync("n-6", "email", "a@example.com"));
        smtp.Refuse = false;
        await rig.AdvanceAsync(TimeSpan.FromSeconds(13));
        // The message handled again after a crash finds it sent.
        Assert.Empty(await job.HandleAsync(batch, default));
        await rig.AdvanceAsync(TimeSpan.FromMinutes(30));
        Assert.Single(smtp.Messages);
        Assert.Equal("sent", await rig.StateAsync("n-6", "email", "a@example.com"));
        Assert.Empty(await rig.Schedule.DueAsync(long.MaxValue, 10, default));
        var statuses = (await Records.ReadAllAsync(engine.Reader, "notifications.status", 0)).Select(r => System.Text.Json.JsonDocument.Parse(r.Value!.Value).RootElement.GetProperty("state").GetString());
        Assert.Equal(["retrying", "retrying", "sent"], statuses);
    }

    [Fact]
    public async Task A_recipient_that_keeps_failing_is_given_up_after_the_configured_time_with_the_last_error()
    {
        await using var smtp = SmtpSink.Start();
        await using var rig = NotificationRig.ForSmtp(smtp, o => o.Retry = new NotificationRetryOptions { InitialDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(4), GiveUpAfter = TimeSpan.FromSeconds(20) });
        smtp.Refuse = true;
        Assert.Empty(await rig.HandleAsync("""{"id":"n-give-up","to":{"email":["a@example.com"]},"subject":"s","body":{"text":"t"}}"""));
        for (var i = 0; i < 12; i++) await rig.AdvanceAsync(TimeSpan.FromSeconds(5));
        var record = Assert.Single(await rig.Store.ListDeliveriesAsync("n-give-up", default));
        Assert.Equal("failed", record.State);
        Assert.Contains("gave up after", record.Reason, StringComparison.Ordinal);
        Assert.Contains("451", record.Reason, StringComparison.Ordinal);
        Assert.Empty(await rig.Schedule.DueAsync(long.MaxValue, 10, default));
    }

    [Fact]
    public async Task A_recipient_who_opted_out_is_not_sent_and_the_message_says_suppressed()
    {
        await using var smtp = SmtpSink.Start();
        await using var rig = NotificationRig.ForSmtp(smtp);
        var (job, store, engine) = (rig.Job, rig.Store, rig.Engine);
        await store.SetOptOutAsync("email", "Quiet@Example.com", true, default);
        Assert.Empty(await job.HandleAsync(rig.Batch("""{"id":"n-7","to":{"email":["quiet@example.com","loud@example.com"]},"subject":"News","body":{"text":"…"}}"""), default));
        Assert.Equal("loud@example.com", Assert.Single(smtp.Messages).To.Mailboxes.Single().Address);
        Assert.Contains(await store.ListDeliveriesAsync("n-7", default), d => d is { Recipient: "quiet@example.com", State: "suppressed" });
    }

    [Theory]
    [InlineData("""{"id":"x","to":{"email":["a(b@example.com"]},"subject":"s","body":{"text":"t"}}""")]
    [InlineData("""{"id":"x","to":{"email":["Zoe <zoe@example.com>"]},"subject":"s","body":{"text":"t"}}""")]
    [InlineData("""{"id":"x","id":"y","to":{"email":["a@example.com"]},"subject":"s","body":{"text":"t"}}""")]
    [InlineData("""{"id":"x","to":{"email":["a@example.com"]},"subject":"s","body":{"text":"t"},"expiresAt":"2030-01-01_00:00:00Z"}""")]
    public async Task Messages_the_schema_lets_through_but_cannot_be_sent_are_dead_lettered_not_retried(string message)
    {
        await using var smtp = SmtpSink.Start();
        await using var rig = NotificationRig.ForSmtp(smtp);
        var job = rig.Job;
        var failure = Assert.Single(await job.HandleAsync(rig.Batch(message), default));
        Assert.False(failure.Retriable, failure.Error);
    }

    [Fact]
    public async Task The_same_mailbox_in_another_case_is_the_same_recipient()
    {
        await using var smtp = SmtpSink.Start();
        await using var rig = NotificationRig.ForSmtp(smtp);
        var job = rig.Job;
        await job.HandleAsync(rig.Batch("""{"id":"n-8","to":{"email":["Ana@Example.com"]},"subject":"s","body":{"text":"t"}}"""), default);
        await job.HandleAsync(rig.Batch("""{"id":"n-8","to":{"email":["ana@example.com"]},"subject":"s","body":{"text":"t"}}"""), default);
        Assert.Single(smtp.Messages);
    }

    [Fact]
    public async Task Two_handlers_with_the_same_message_at_once_send_it_once()
    {
        await using var smtp = SmtpSink.Start();
        await using var rig = NotificationRig.ForSmtp(smtp);
        var (job, store, engine) = (rig.Job, rig.Store, rig.Engine);
        var other = new NotificationRig(rig.Options, rig.Store, rig.Schedule);
        await using var __ = other;
        var batch = rig.Batch("""{"id":"n-9","to":{"email":["a@example.com","b@example.com","c@example.com"]},"subject":"s","body":{"text":"t"}}""");
        var results = await Task.WhenAll(job.HandleAsync(batch, default), other.Job.HandleAsync(batch, default));
        // Whoever found a recipient busy parked it for later instead of holding the partition; later it is found sent.
        Assert.All(results, r => Assert.Empty(r));
        await rig.AdvanceAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(3, smtp.Messages.Count);
        Assert.All(await store.ListDeliveriesAsync("n-9", default), d => Assert.Equal("sent", d.State));
        Assert.Empty(await rig.Schedule.DueAsync(long.MaxValue, 10, default));
    }
}

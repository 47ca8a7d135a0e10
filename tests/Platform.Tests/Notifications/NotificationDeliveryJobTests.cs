using System.Text;
using Platform.Core.Consumers;
using Platform.Core.Consumers.Notifications;
using Platform.Core.Log;
using Platform.Core.Storage.InMemory;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Notifications;

/// <summary>The delivery job against a real SMTP server: MIME, templates, one send per recipient, bad messages dead-lettered, retries.</summary>
public sealed class NotificationDeliveryJobTests
{
    private static (NotificationDeliveryJob Job, InMemoryNotificationStore Store, TestEngine Engine) Rig(SmtpTestServer smtp)
    {
        var engine = new TestEngine(StorageSet.InMemory());
        var options = Microsoft.Extensions.Options.Options.Create(new NotificationOptions
        {
            Smtp = new SmtpSettings { Host = "127.0.0.1", Port = smtp.Port, Security = "None", From = "alerts@platform.example", UnsubscribeUrl = "https://platform.example/unsubscribe" },
        });
        var store = new InMemoryNotificationStore();
        var channels = new NotificationChannels(new HttpClient(), options, TimeProvider.System);
        return (new NotificationDeliveryJob(store, channels, engine.Producer, engine.Topics, options, TimeProvider.System), store, engine);
    }

    private static ConsumerBatch Batch(params string[] messages) => new("notifications", new TopicPartition("notifications", 0),
        [.. messages.Select((m, i) => new LogRecord(i, 0, 0, null, Encoding.UTF8.GetBytes(m), []))]);

    [Fact]
    public async Task A_templated_message_arrives_as_proper_mime_with_html_escaped()
    {
        await using var smtp = SmtpTestServer.Start();
        var (job, store, engine) = Rig(smtp);
        await using var _ = engine;
        await store.PutTemplateAsync(new NotificationTemplate("order-shipped", "Votre commande {{ order }} est partie ✈",
            "Bonjour {{ name }}, commande {{ order }}.", "<p>Bonjour {{ name }}</p>"), default);
        var failures = await job.HandleAsync(Batch("""
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
        await using var smtp = SmtpTestServer.Start();
        var (job, store, engine) = Rig(smtp);
        await using var _ = engine;
        var batch = Batch(
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
        await using var smtp = SmtpTestServer.Start();
        var (job, store, engine) = Rig(smtp);
        await using var _ = engine;
        var batch = Batch("""{"id":"n-6","to":{"email":["a@example.com"]},"subject":"Hello","body":{"text":"Hi"}}""");
        smtp.Refuse = true;
        var failures = await job.HandleAsync(batch, default);
        Assert.True(Assert.Single(failures).Retriable);
        Assert.Equal("retrying", Assert.Single(await store.ListDeliveriesAsync("n-6", default)).State);
        smtp.Refuse = false;
        Assert.Empty(await job.HandleAsync(batch, default));
        Assert.Empty(await job.HandleAsync(batch, default));
        Assert.Single(smtp.Messages);
        var statuses = await Records.ReadAllAsync(engine.Reader, "notifications.status", 0);
        Assert.Equal(2, statuses.Count);
    }

    [Fact]
    public async Task A_recipient_who_opted_out_is_not_sent_and_the_message_says_suppressed()
    {
        await using var smtp = SmtpTestServer.Start();
        var (job, store, engine) = Rig(smtp);
        await using var _ = engine;
        await store.SetOptOutAsync("email", "Quiet@Example.com", true, default);
        Assert.Empty(await job.HandleAsync(Batch("""{"id":"n-7","to":{"email":["quiet@example.com","loud@example.com"]},"subject":"News","body":{"text":"…"}}"""), default));
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
        await using var smtp = SmtpTestServer.Start();
        var (job, _, engine) = Rig(smtp);
        await using var _ = engine;
        var failure = Assert.Single(await job.HandleAsync(Batch(message), default));
        Assert.False(failure.Retriable, failure.Error);
    }

    [Fact]
    public async Task The_same_mailbox_in_another_case_is_the_same_recipient()
    {
        await using var smtp = SmtpTestServer.Start();
        var (job, _, engine) = Rig(smtp);
        await using var _ = engine;
        await job.HandleAsync(Batch("""{"id":"n-8","to":{"email":["Ana@Example.com"]},"subject":"s","body":{"text":"t"}}"""), default);
        await job.HandleAsync(Batch("""{"id":"n-8","to":{"email":["ana@example.com"]},"subject":"s","body":{"text":"t"}}"""), default);
        Assert.Single(smtp.Messages);
    }

    [Fact]
    public async Task Two_handlers_with_the_same_message_at_once_send_it_once()
    {
        await using var smtp = SmtpTestServer.Start();
        var (job, store, engine) = Rig(smtp);
        await using var _ = engine;
        var options = Microsoft.Extensions.Options.Options.Create(new NotificationOptions { Smtp = new SmtpSettings { Host = "127.0.0.1", Port = smtp.Port, Security = "None" } });
        var other = new NotificationDeliveryJob(store, new NotificationChannels(new HttpClient(), options, TimeProvider.System), engine.Producer, engine.Topics, options, TimeProvider.System);
        var batch = Batch("""{"id":"n-9","to":{"email":["a@example.com","b@example.com","c@example.com"]},"subject":"s","body":{"text":"t"}}""");
        var results = await Task.WhenAll(job.HandleAsync(batch, default), other.HandleAsync(batch, default));
        // Whoever found a recipient busy asks to be run again; the run after that finds it done.
        await job.HandleAsync(batch, default);
        Assert.Equal(3, smtp.Messages.Count);
        Assert.All(results.SelectMany(r => r), f => Assert.True(f.Retriable));
        Assert.All(await store.ListDeliveriesAsync("n-9", default), d => Assert.Equal("sent", d.State));
    }
}

using Platform.Benchmarks.Peers;
using Platform.Core.Consumers.Notifications;
using Platform.Tests.Alerting;

namespace Platform.Tests.Notifications;

/// <summary>What waits without holding the partition: notBefore, digests, rate limits, and a webhook that is down for a while.</summary>
public sealed class NotificationSchedulingTests
{
    [Fact]
    public async Task A_message_with_not_before_waits_for_its_time_then_goes_once()
    {
        await using var smtp = SmtpSink.Start();
        await using var rig = NotificationRig.ForSmtp(smtp);
        var at = rig.Time.GetUtcNow().AddHours(1).ToString("O");
        var message = $$"""{"id":"later","to":{"email":["a@example.com"]},"subject":"Reminder","body":{"text":"t"},"notBefore":"{{at}}"}""";
        Assert.Empty(await rig.HandleAsync(message));
        Assert.Equal("scheduled", await rig.StateAsync("later", "email", "a@example.com"));
        await rig.AdvanceAsync(TimeSpan.FromMinutes(59));
        Assert.Empty(smtp.Messages);
        await rig.AdvanceAsync(TimeSpan.FromMinutes(2));
        Assert.Equal("Reminder", Assert.Single(smtp.Messages).Subject);
        // Handled again (a crash before the commit): parked again, found sent when due, not sent twice.
        Assert.Empty(await rig.HandleAsync(message));
        await rig.AdvanceAsync(TimeSpan.FromHours(2));
        Assert.Single(smtp.Messages);
        Assert.Equal("sent", await rig.StateAsync("later", "email", "a@example.com"));
    }

    [Fact]
    public async Task Twenty_messages_with_one_digest_key_to_one_recipient_are_one_email_listing_twenty()
    {
        await using var smtp = SmtpSink.Start();
        await using var rig = NotificationRig.ForSmtp(smtp, o => o.Digest.Window = TimeSpan.FromMinutes(10));
        await rig.Store.PutTemplateAsync(new NotificationTemplate("comment", "New comment on {{ post }}", "{{ author }}: {{ text }}", null), default);
        var messages = Enumerable.Range(1, 20).Select(i =>
            $$"""{"id":"c-{{i}}","to":{"email":["Ana@example.com"]},"template":"comment","data":{"post":"P{{i}}","author":"u{{i}}","text":"<hi {{i}}>"},"digestKey":"comments"}""").ToArray();
        // Some now, some a few minutes later, one handled twice: all in the one digest, once each.
        Assert.Empty(await rig.HandleAsync(messages[..12]));
        await rig.AdvanceAsync(TimeSpan.FromMinutes(4));
        Assert.Empty(await rig.HandleAsync(messages[12..]));
        Assert.Empty(await rig.HandleAsync(messages[5]));
        // A message to another recipient with the same key is another digest.
        Assert.Empty(await rig.HandleAsync("""{"id":"c-other","to":{"email":["bo@example.com"]},"subject":"x","body":{"text":"y"},"digestKey":"comments"}"""));
        Assert.Empty(smtp.Messages);
        Assert.Equal("merged", await rig.StateAsync("c-1", "email", "ana@example.com"));

        await rig.AdvanceAsync(TimeSpan.FromMinutes(7));
        var digest = Assert.Single(smtp.Messages);
        Assert.Equal("ana@example.com", digest.To.Mailboxes.Single().Address);
        Assert.StartsWith("20 notifications: New comment on P1 and 19 more", digest.Subject, StringComparison.Ordinal);
        for (var i = 1; i <= 20; i++) Assert.Contains($"u{i}: <hi {i}>", digest.TextBody, StringComparison.Ordinal);
        Assert.Contains("&lt;hi 20&gt;", digest.HtmlBody, StringComparison.Ordinal);
        var one = await rig.Store.GetDeliveryAsync("c-7", "email", "ana@example.com", default);
        Assert.Equal("sent", one?.State);
        Assert.StartsWith("in digest digest-", one?.Reason, StringComparison.Ordinal);
        Assert.Equal("sent", (await rig.Store.ListDeliveriesAsync(one!.Reason!["in digest ".Length..], default)).Single().State);

        // A message handled again after its digest went is not sent again, alone or in a new digest.
        Assert.Empty(await rig.HandleAsync(messages[3]));
        await rig.AdvanceAsync(TimeSpan.FromMinutes(20));
        Assert.Equal(2, smtp.Messages.Count);
        Assert.Equal("1 notifications: x", smtp.Messages.Last().Subject);
        Assert.Empty(await rig.Schedule.DueAsync(long.MaxValue, 10, default));
    }

    [Fact]
    public async Task A_digest_template_when_stored_renders_the_digest()
    {
        await using var smtp = SmtpSink.Start();
        await using var rig = NotificationRig.ForSmtp(smtp);
        await rig.Store.PutTemplateAsync(new NotificationTemplate("digest", "Your {{ count }} {{ digestKey }}", "{% for m in messages %}[{{ m.subject }}]{% endfor %}", null), default);
        await rig.HandleAsync(
            """{"id":"d-1","to":{"email":["a@example.com"]},"subject":"one","body":{"text":"1"},"digestKey":"news"}""",
            """{"id":"d-2","to":{"email":["a@example.com"]},"subject":"two","body":{"text":"2"},"digestKey":"news"}""");
        await rig.AdvanceAsync(TimeSpan.FromMinutes(11));
        var mail = Assert.Single(smtp.Messages);
        Assert.Equal("Your 2 news", mail.Subject);
        Assert.Equal("[one][two]", mail.TextBody?.Trim());
    }

    [Fact]
    public async Task Over_the_per_recipient_limit_the_excess_waits_and_is_sent_later_never_dropped()
    {
        await using var smtp = SmtpSink.Start();
        await using var rig = NotificationRig.ForSmtp(smtp, o => o.RateLimits["email"] = new ChannelRateLimits { PerRecipient = new RateLimit { Count = 2, Per = TimeSpan.FromHours(1) } });
        var messages = Enumerable.Range(1, 5).Select(i => $$$"""{"id":"r-{{{i}}}","to":{"email":["a@example.com"]},"subject":"s{{{i}}}","body":{"text":"t"}}""").ToArray();
        Assert.Empty(await rig.HandleAsync(messages));
        Assert.Empty(await rig.HandleAsync("""{"id":"r-other","to":{"email":["b@example.com"]},"subject":"other","body":{"text":"t"}}"""));
        Assert.Equal(3, smtp.Messages.Count);
        Assert.Equal("delayed", await rig.StateAsync("r-3", "email", "a@example.com"));
        // Never more than two in any hour: two now, two an hour later, the last two hours later, in the order they came.
        await rig.AdvanceAsync(TimeSpan.FromMinutes(59));
        Assert.Equal(3, smtp.Messages.Count);
        await rig.AdvanceAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(5, smtp.Messages.Count);
        await rig.AdvanceAsync(TimeSpan.FromMinutes(60));
        Assert.Equal(6, smtp.Messages.Count);
        // s3 and s4 fall due together and are dispatched side by side (eight at a time): either may reach the server first.
        var subjects = smtp.Messages.Select(m => m.Subject).ToList();
        Assert.Equal(["s1", "s2", "other"], subjects[..3]);
        Assert.Equal(["s3", "s4"], subjects[3..5].Order(StringComparer.Ordinal));
        Assert.Equal("s5", subjects[5]);
        Assert.Equal(6, smtp.Messages.Select(m => m.Subject).Distinct().Count());
    }

    [Fact]
    public async Task A_high_priority_message_is_not_held_by_the_recipient_limit_and_is_marked_urgent()
    {
        await using var smtp = SmtpSink.Start();
        await using var rig = NotificationRig.ForSmtp(smtp, o => o.RateLimits["email"] = new ChannelRateLimits { PerRecipient = new RateLimit { Count = 1, Per = TimeSpan.FromHours(1) } });
        await rig.HandleAsync(
            """{"id":"p-1","to":{"email":["a@example.com"]},"subject":"news","body":{"text":"t"}}""",
            """{"id":"p-2","to":{"email":["a@example.com"]},"subject":"password reset","body":{"text":"t"},"priority":"high"}""");
        Assert.Equal(2, smtp.Messages.Count);
        Assert.Equal(MimeKit.MessagePriority.Urgent, smtp.Messages.Single(m => m.Subject == "password reset").Priority);
    }

    [Fact]
    public async Task A_retrying_recipient_handled_again_keeps_its_back_off_and_a_high_priority_send_counts_against_the_limit()
    {
        await using var smtp = SmtpSink.Start();
        await using var rig = NotificationRig.ForSmtp(smtp, o => o.RateLimits["email"] = new ChannelRateLimits { PerRecipient = new RateLimit { Count = 1, Per = TimeSpan.FromHours(1) } });
        smtp.Refuse = true;
        var message = """{"id":"again","to":{"email":["x@example.com"]},"subject":"s","body":{"text":"t"}}""";
        Assert.Empty(await rig.HandleAsync(message));
        smtp.Refuse = false;
        // The batch redone at once (a retried batch, a crash before the commit): the waiting recipient is left to its back-off.
        Assert.Empty(await rig.HandleAsync(message));
        Assert.Empty(smtp.Messages);
        await rig.AdvanceAsync(TimeSpan.FromSeconds(10));
        Assert.Single(smtp.Messages);

        // A high-priority send goes at once and counts: the next normal one waits an hour.
        await rig.HandleAsync(
            """{"id":"urgent","to":{"email":["y@example.com"]},"subject":"urgent","body":{"text":"t"},"priority":"high"}""",
            """{"id":"normal","to":{"email":["y@example.com"]},"subject":"normal","body":{"text":"t"}}""");
        Assert.Equal(["s", "urgent"], smtp.Messages.Select(m => m.Subject));
        Assert.Equal("delayed", await rig.StateAsync("normal", "email", "y@example.com"));
    }

    [Fact]
    public async Task A_digest_whose_template_fails_is_sent_with_the_built_in_list()
    {
        await using var smtp = SmtpSink.Start();
        await using var rig = NotificationRig.ForSmtp(smtp);
        await rig.Store.PutTemplateAsync(new NotificationTemplate("digest", "{{ count }}", "{% for i in (1..1000000) %}{% for j in (1..1000000) %}x{% endfor %}{% endfor %}", null), default);
        await rig.HandleAsync("""{"id":"f-1","to":{"email":["a@example.com"]},"subject":"one","body":{"text":"1"},"digestKey":"k"}""");
        await rig.AdvanceAsync(TimeSpan.FromMinutes(11));
        Assert.StartsWith("1 notifications: one", Assert.Single(smtp.Messages).Subject, StringComparison.Ordinal);
        Assert.Equal("sent", await rig.StateAsync("f-1", "email", "a@example.com"));
    }

    [Fact]
    public async Task A_parked_message_that_expires_while_waiting_is_expired_not_sent()
    {
        await using var smtp = SmtpSink.Start();
        await using var rig = NotificationRig.ForSmtp(smtp);
        smtp.Refuse = true;
        var expires = rig.Time.GetUtcNow().AddSeconds(30).ToString("O");
        await rig.HandleAsync($$"""{"id":"x-1","to":{"email":["a@example.com"]},"subject":"s","body":{"text":"t"},"expiresAt":"{{expires}}"}""");
        for (var i = 0; i < 2; i++) await rig.AdvanceAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("retrying", await rig.StateAsync("x-1", "email", "a@example.com"));
        for (var i = 0; i < 2; i++) await rig.AdvanceAsync(TimeSpan.FromSeconds(10));
        smtp.Refuse = false;
        for (var i = 0; i < 6; i++) await rig.AdvanceAsync(TimeSpan.FromSeconds(10));
        Assert.Empty(smtp.Messages);
        Assert.Equal("expired", await rig.StateAsync("x-1", "email", "a@example.com"));
    }

    [Fact]
    public async Task A_webhook_receiver_that_is_down_then_up_gets_each_notification_once_signed_honouring_retry_after()
    {
        await using var receiver = await AlertReceiver.StartAsync();
        await using var rig = new NotificationRig(new NotificationOptions
        {
            Webhooks = { ["ops"] = new WebhookChannel { Url = new Uri(receiver.Url, "/hook").ToString(), Secret = "s3cret" } },
        });
        receiver.FailHooksWith = 503;
        var messages = Enumerable.Range(1, 10).Select(i => $$$"""{"id":"w-{{{i}}}","to":{"webhook":["ops"]},"subject":"Deploy {{{i}}}","body":{"text":"done"}}""").ToArray();
        Assert.Empty(await rig.HandleAsync(messages));
        await rig.AdvanceAsync(TimeSpan.FromSeconds(30));
        Assert.Empty(receiver.RawBodies);
        Assert.All(Enumerable.Range(1, 10), i => Assert.Equal("retrying", rig.StateAsync($"w-{i}", "webhook", "ops").Result));

        receiver.FailHooksWith = null;
        await rig.AdvanceAsync(TimeSpan.FromMinutes(2));
        // Handled again after a crash: still once each.
        Assert.Empty(await rig.HandleAsync(messages));
        await rig.AdvanceAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(10, receiver.RawBodies.Count);
        Assert.Equal(10, receiver.IdempotencyKeys.Distinct().Count());
        foreach (var (body, signature) in receiver.SignedBodies)
        {
            var t = long.Parse(signature.Split(',')[0][2..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(Platform.Core.Alerting.Routing.NotificationSender.Signature("s3cret", t, body), signature);
        }
        Assert.Equal(Enumerable.Range(1, 10).Select(i => $"Deploy {i}").Order(), receiver.Webhooks.Select(w => w.Body.GetProperty("subject").GetString()!).Order());
    }
}

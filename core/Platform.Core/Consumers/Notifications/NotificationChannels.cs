using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Microsoft.Extensions.Options;
using Platform.Core.Alerting.Routing;

namespace Platform.Core.Consumers.Notifications;

/// <summary>
/// Sends a rendered notification to one recipient: e-mail over SMTP (MailKit: text and HTML alternatives, UTF-8,
/// Message-Id from the notification id, List-Unsubscribe when configured), webhooks (JSON, HMAC-SHA256 signature with
/// a timestamp, Idempotency-Key) and Slack-compatible webhooks. Failures come back as outcomes: 4xx SMTP replies,
/// 429/5xx and network trouble are retriable, 5xx SMTP and other 4xx HTTP replies permanent.
/// </summary>
public sealed class NotificationChannels(HttpClient http, IOptions<NotificationOptions> options, TimeProvider time) : IAsyncDisposable
{
    private readonly SemaphoreSlim _smtpGate = new(1, 1);
    private SmtpClient? _smtp;

    /// <summary>Sends to one recipient.</summary>
    public async Task<DeliveryOutcome> SendAsync(NotificationMessage message, RenderedNotification rendered, string channel, string recipient, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(rendered);
        try
        {
            return channel switch
            {
                "email" => await EmailAsync(message, rendered, recipient, cancellationToken).ConfigureAwait(false),
                "webhook" => await WebhookAsync(message, rendered, recipient, cancellationToken).ConfigureAwait(false),
                _ => await SlackAsync(rendered, recipient, cancellationToken).ConfigureAwait(false),
            };
        }
        catch (SmtpCommandException e)
        {
            // Only a refusal of this recipient or this message is final; a 5xx about the sender, relaying or
            // authentication is the platform's configuration, which must not burn every message: wait.
            var final = (int)e.StatusCode >= 500 && e.ErrorCode is SmtpErrorCode.RecipientNotAccepted or SmtpErrorCode.MessageNotAccepted;
            return new DeliveryOutcome(final ? DeliveryStatus.Permanent : DeliveryStatus.Retriable, null, $"SMTP {(int)e.StatusCode}: {e.Message}");
        }
        catch (Exception e) when (e is SmtpProtocolException or IOException or SocketException or ServiceNotConnectedException or HttpRequestException
            or TaskCanceledException or AuthenticationException && !cancellationToken.IsCancellationRequested)
        {
            return new DeliveryOutcome(DeliveryStatus.Retriable, null, e.Message);
        }
        catch (Exception e) when (e is FormatException or ParseException or ArgumentException)
        {
            return new DeliveryOutcome(DeliveryStatus.Permanent, null, e.Message);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Anything else (a TLS handshake, STARTTLS or AUTH the server lacks): the platform's side, tried again until given up.
            return new DeliveryOutcome(DeliveryStatus.Retriable, null, $"{e.GetType().Name}: {e.Message}");
        }
    }

    private async Task<DeliveryOutcome> EmailAsync(NotificationMessage message, RenderedNotification rendered, string recipient, CancellationToken cancellationToken)
    {
        var smtp = options.Value.Smtp;
        if (string.IsNullOrEmpty(smtp.Host)) return new DeliveryOutcome(DeliveryStatus.Permanent, null, "no SMTP server is configured (Platform:Notifications:Smtp:Host)");
        var mail = new MimeMessage();
        mail.From.Add(MailboxAddress.Parse(smtp.From));
        mail.To.Add(MailboxAddress.Parse(recipient));
        mail.Subject = rendered.Subject;
        // One Message-Id per notification and recipient: a resend after a crash is recognisable as the same mail.
        mail.MessageId = Hash(message.Id + "\n" + recipient)[..32] + "@" + MailboxAddress.Parse(smtp.From).Domain;
        if (smtp.UnsubscribeUrl is { Length: > 0 } unsubscribe)
        {
            mail.Headers.Add("List-Unsubscribe", $"<{unsubscribe}?recipient={Uri.EscapeDataString(recipient)}>");
        }
        if (message.Priority is "high") (mail.Priority, mail.XPriority, mail.Importance) = (MessagePriority.Urgent, XMessagePriority.Highest, MessageImportance.High);
        else if (message.Priority is "low") (mail.Priority, mail.XPriority, mail.Importance) = (MessagePriority.NonUrgent, XMessagePriority.Lowest, MessageImportance.Low);
        var body = new BodyBuilder { TextBody = rendered.Text, HtmlBody = rendered.Html };
        mail.Body = body.ToMessageBody();
        // One deadline for the whole send — the wait for the connection, connecting, every exchange — well inside the
        // recipient's reservation, so no other handler takes it over while this one may still deliver.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Value.SendingTimeout * 3 / 4);
        // One SMTP connection, used by one send at a time (batches of several partitions may run at once).
        await _smtpGate.WaitAsync(deadline.Token).ConfigureAwait(false);
        try
        {
            var client = await SmtpAsync(deadline.Token).ConfigureAwait(false);
            await client.SendAsync(mail, deadline.Token).ConfigureAwait(false);
        }
        catch
        {
            // A failed exchange leaves the connection in an unknown state: the next send opens a new one.
            await DropSmtpAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            _smtpGate.Release();
        }
        return new DeliveryOutcome(DeliveryStatus.Sent);
    }

    private async Task<SmtpClient> SmtpAsync(CancellationToken cancellationToken)
    {
        if (_smtp is { IsConnected: true } connected) return connected;
        var smtp = options.Value.Smtp;
        _smtp?.Dispose();
        // Each SMTP exchange ends well inside the recipient's reservation (SendingTimeout), so no one takes it over mid-send.
        var client = new SmtpClient { Timeout = (int)Math.Min(30_000, options.Value.SendingTimeout.TotalMilliseconds / 4) };
        // Held before connecting, so a failure part-way (authentication) still disposes it.
        _smtp = client;
        var security = Enum.TryParse<SecureSocketOptions>(smtp.Security, ignoreCase: true, out var parsed) ? parsed : SecureSocketOptions.Auto;
        // Nagle off: SMTP is request/response, and a delayed last segment of each DATA costs 40 ms a mail against delayed ACKs.
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(smtp.Host!, smtp.Port, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        await client.ConnectAsync(socket, smtp.Host!, smtp.Port, security, cancellationToken).ConfigureAwait(false);
        if (!string.IsNullOrEmpty(smtp.User)) await client.AuthenticateAsync(smtp.User, smtp.Password ?? "", cancellationToken).ConfigureAwait(false);
        return client;
    }

    private async Task DropSmtpAsync()
    {
        if (_smtp is null) return;
        try
        {
            if (_smtp.IsConnected) await _smtp.DisconnectAsync(true).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or SmtpProtocolException or ServiceNotConnectedException)
        {
        }
        _smtp.Dispose();
        _smtp = null;
    }

    private async Task<DeliveryOutcome> WebhookAsync(NotificationMessage message, RenderedNotification rendered, string name, CancellationToken cancellationToken)
    {
        if (!options.Value.Webhooks.TryGetValue(name, out var target)) return new DeliveryOutcome(DeliveryStatus.Permanent, null, $"no webhook named '{name}' is configured");
        var body = JsonSerializer.SerializeToUtf8Bytes(new { id = message.Id, subject = rendered.Subject, text = rendered.Text, html = rendered.Html, data = message.Data });
        using var request = new HttpRequestMessage(HttpMethod.Post, target.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        // Header-safe whatever the id holds: a hash of id and channel name.
        request.Headers.Add("Idempotency-Key", Hash(message.Id + "\n" + name)[..32]);
        if (target.Secret is { Length: > 0 } secret) request.Headers.Add("X-Platform-Signature", NotificationSender.Signature(secret, time.GetUtcNow().ToUnixTimeSeconds(), body));
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return Outcome(response, time.GetUtcNow());
    }

    private async Task<DeliveryOutcome> SlackAsync(RenderedNotification rendered, string name, CancellationToken cancellationToken)
    {
        if (!options.Value.Slack.TryGetValue(name, out var target)) return new DeliveryOutcome(DeliveryStatus.Permanent, null, $"no Slack channel named '{name}' is configured");
        using var response = await http.PostAsJsonAsync(target.Url, new { text = $"*{rendered.Subject}*\n{rendered.Text}" }, cancellationToken).ConfigureAwait(false);
        return Outcome(response, time.GetUtcNow());
    }

    private static DeliveryOutcome Outcome(HttpResponseMessage response, DateTimeOffset now)
    {
        var status = (int)response.StatusCode;
        // 409 to a repeated Idempotency-Key: the receiver already has it.
        if (response.IsSuccessStatusCode || status == 409) return new DeliveryOutcome(DeliveryStatus.Sent);
        // 401/403: the platform's credentials (configuration), not the message: wait.
        if (status is 401 or 403 or 408 or 429 || status >= 500) return new DeliveryOutcome(DeliveryStatus.Retriable, RetryAfter(response, now), $"HTTP {status}");
        return new DeliveryOutcome(DeliveryStatus.Permanent, null, $"HTTP {status}");
    }

    /// <summary>The receiver's <c>Retry-After</c>, as seconds or as a date.</summary>
    private static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } when date > now => date - now,
        _ => null,
    };

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await DropSmtpAsync().ConfigureAwait(false);
        _smtpGate.Dispose();
    }
}

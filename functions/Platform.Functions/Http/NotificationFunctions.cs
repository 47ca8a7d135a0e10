using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using Platform.Core.Consumers.Notifications;
using Platform.Core.Ingestion;
using Platform.Core.Security;
using Platform.Core.Storage;

namespace Platform.Functions.Http;

/// <summary>
/// Notification templates (<c>PUT/GET /api/notification-templates/{name}</c>, refused with the reason when a part does
/// not parse) and a notification's outcomes (<c>GET /api/notifications/{id}</c>). Templates need an admin grant on the
/// notifications topic; outcomes, a consume grant.
/// </summary>
public sealed class NotificationFunctions(RequestAuthorizer auth, INotificationStore store, IOptions<NotificationOptions> options)
{
    [Function("PutNotificationTemplate")]
    public async Task<IResult> PutTemplate([HttpTrigger(AuthorizationLevel.Function, "put", Route = "notification-templates/{name}")] HttpRequest request, string name, CancellationToken cancellationToken)
    {
        await auth.RequireAsync(request, ApiOperation.Admin, options.Value.Topic, cancellationToken);
        CheckTemplateName(name);
        var body = await JsonBody.ReadAsync<TemplateBody>(request, 256 * 1024, cancellationToken);
        if (string.IsNullOrEmpty(body.Subject)) throw new BadRequestException("A template needs a subject.");
        var template = new NotificationTemplate(name, body.Subject, body.Text, body.Html);
        if (NotificationTemplates.Check(template) is { } problem) throw new BadRequestException($"The template does not parse: {problem}");
        await store.PutTemplateAsync(template, cancellationToken);
        return Results.Ok(new { name, subject = template.Subject, text = template.Text, html = template.Html });
    }

    [Function("GetNotificationTemplate")]
    public async Task<IResult> GetTemplate([HttpTrigger(AuthorizationLevel.Function, "get", Route = "notification-templates/{name}")] HttpRequest request, string name, CancellationToken cancellationToken)
    {
        await auth.RequireAsync(request, ApiOperation.Consume, options.Value.Topic, cancellationToken);
        CheckTemplateName(name);
        return await store.GetTemplateAsync(name, cancellationToken) is { } t
            ? Results.Ok(new { name = t.Name, subject = t.Subject, text = t.Text, html = t.Html })
            : Problems.Problem(StatusCodes.Status404NotFound, "Template not found", $"There is no template \"{name}\".");
    }

    [Function("GetNotification")]
    public async Task<IResult> GetNotification([HttpTrigger(AuthorizationLevel.Function, "get", Route = "notifications/{id}")] HttpRequest request, string id, CancellationToken cancellationToken)
    {
        await auth.RequireAsync(request, ApiOperation.Consume, options.Value.Topic, cancellationToken);
        var deliveries = await store.ListDeliveriesAsync(id, cancellationToken);
        if (deliveries.Count == 0) return Problems.Problem(StatusCodes.Status404NotFound, "Notification not found", $"No outcome is recorded for notification \"{id}\" (yet).");
        return Results.Ok(new
        {
            id,
            recipients = deliveries.OrderBy(d => d.Channel, StringComparer.Ordinal).ThenBy(d => d.Recipient, StringComparer.Ordinal).Select(d => new
            {
                channel = d.Channel, recipient = d.Recipient, state = d.State, reason = d.Reason, at = DateTimeOffset.FromUnixTimeMilliseconds(d.UpdatedAt),
            }),
        });
    }

    [Function("PutNotificationOptOut")]
    public async Task<IResult> PutOptOut([HttpTrigger(AuthorizationLevel.Function, "put", Route = "notification-optouts/{channel}/{recipient}")] HttpRequest request, string channel, string recipient, CancellationToken cancellationToken) =>
        await SetOptOutAsync(request, channel, recipient, true, cancellationToken);

    [Function("DeleteNotificationOptOut")]
    public async Task<IResult> DeleteOptOut([HttpTrigger(AuthorizationLevel.Function, "delete", Route = "notification-optouts/{channel}/{recipient}")] HttpRequest request, string channel, string recipient, CancellationToken cancellationToken) =>
        await SetOptOutAsync(request, channel, recipient, false, cancellationToken);

    private async Task<IResult> SetOptOutAsync(HttpRequest request, string channel, string recipient, bool optedOut, CancellationToken cancellationToken)
    {
        await auth.RequireAsync(request, ApiOperation.Admin, options.Value.Topic, cancellationToken);
        if (channel is not ("email" or "webhook" or "slack")) throw new BadRequestException("The channel is email, webhook or slack.");
        if (recipient.Length is 0 or > 320) throw new BadRequestException("A recipient is 1 to 320 characters.");
        await store.SetOptOutAsync(channel, recipient, optedOut, cancellationToken);
        return Results.NoContent();
    }

    private static void CheckTemplateName(string name)
    {
        if (!NotificationTemplates.IsValidName(name))
        {
            throw new BadRequestException("A template name is 1 to 64 lower-case letters, digits, '.', '_' or '-'.");
        }
    }

    internal sealed record TemplateBody(string? Subject, string? Text, string? Html);
}

using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using Platform.Core.Alerting;
using Platform.Core.Ingestion;
using Platform.Core.Security;

namespace Platform.Functions.Http;

/// <summary>
/// Rule groups and alerts: <c>PUT/DELETE /api/rules/{group}</c> (a Prometheus rule file of one group, YAML or JSON),
/// <c>GET /api/rules</c> and <c>GET /api/alerts</c> shaped like Prometheus's <c>/api/v1/rules</c> and <c>/api/v1/alerts</c>.
/// Changing rules needs an admin grant on the alerts topic; reading them, a consume grant.
/// </summary>
public sealed class AlertingFunctions(RequestAuthorizer auth, RuleGroups groups, IOptions<AlertingOptions> options)
{
    /// <summary>What YAML (and JSON, which is YAML) bodies may be sent as.</summary>
    internal static readonly string[] YamlMediaTypes = ["application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "application/json", "text/plain"];

    [Function("PutRuleGroup")]
    public async Task<IResult> Put([HttpTrigger(AuthorizationLevel.Function, "put", Route = "rules/{group}")] HttpRequest request, string group, CancellationToken cancellationToken)
    {
        await auth.RequireAsync(request, ApiOperation.Admin, options.Value.AlertsTopic, cancellationToken);
        var text = await RequestBody.ReadTextAsync(request, YamlMediaTypes, RuleGroups.MaxSourceChars * 4, "A rule group is a Prometheus rule file", cancellationToken);
        var parsed = await groups.PutAsync(group, text, cancellationToken);
        return Results.Ok(new
        {
            name = parsed.Name,
            interval = parsed.Interval.TotalSeconds,
            rules = parsed.Rules.Select(r => new { name = r.Name, type = r.IsAlerting ? "alerting" : "recording", query = r.ExprText }),
        });
    }

    [Function("DeleteRuleGroup")]
    public async Task<IResult> Delete([HttpTrigger(AuthorizationLevel.Function, "delete", Route = "rules/{group}")] HttpRequest request, string group, CancellationToken cancellationToken)
    {
        await auth.RequireAsync(request, ApiOperation.Admin, options.Value.AlertsTopic, cancellationToken);
        return await groups.DeleteAsync(group, cancellationToken)
            ? Results.NoContent()
            : Problems.Problem(StatusCodes.Status404NotFound, "Rule group not found", $"There is no rule group \"{group}\".");
    }

    [Function("ListRules")]
    public async Task<IResult> Rules([HttpTrigger(AuthorizationLevel.Function, "get", Route = "rules")] HttpRequest request, CancellationToken cancellationToken)
    {
        await auth.RequireAsync(request, ApiOperation.Consume, options.Value.AlertsTopic, cancellationToken);
        string? type = request.Query["type"];
        if (type is not (null or "" or "alert" or "record")) throw new BadRequestException("type must be alert or record.");
        return Results.Bytes(await groups.RulesViewAsync(type, cancellationToken), "application/json");
    }

    [Function("ListAlerts")]
    public async Task<IResult> Alerts([HttpTrigger(AuthorizationLevel.Function, "get", Route = "alerts")] HttpRequest request, CancellationToken cancellationToken)
    {
        await auth.RequireAsync(request, ApiOperation.Consume, options.Value.AlertsTopic, cancellationToken);
        return Results.Bytes(await groups.AlertsViewAsync(cancellationToken), "application/json");
    }
}

using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using Platform.Core.Alerting;
using Platform.Core.Alerting.Routing;
using Platform.Core.Ingestion;
using Platform.Core.Security;
using Platform.Core.Storage;

namespace Platform.Functions.Http;

/// <summary>
/// The built-in router: its configuration (<c>PUT/GET /api/alerting/routes</c>, Alertmanager's YAML format) and
/// silences (<c>POST/GET /api/silences</c>, <c>DELETE /api/silences/{id}</c> expires one). Changes need an admin grant
/// on the alerts topic; reading, a consume grant.
/// </summary>
public sealed class RouterFunctions(RequestAuthorizer auth, AlertRouter router, IRouterStore store, IOptions<AlertingOptions> options, TimeProvider time)
{
    private const int MaxConfigBytes = 128 * 1024;

    [Function("PutRoutes")]
    public async Task<IResult> PutRoutes([HttpTrigger(AuthorizationLevel.Function, "put", Route = "alerting/routes")] HttpRequest request, CancellationToken cancellationToken)
    {
        await auth.RequireAsync(request, ApiOperation.Admin, options.Value.AlertsTopic, cancellationToken);
        var text = await RequestBody.ReadTextAsync(request, AlertingFunctions.YamlMediaTypes, MaxConfigBytes, "A routing configuration is Alertmanager's YAML", cancellationToken);
        var config = await router.PutConfigAsync(text, cancellationToken);
        return Results.Ok(new { receivers = config.Receivers.Keys.Order(StringComparer.Ordinal), inhibitRules = config.InhibitRules.Count });
    }

    [Function("GetRoutes")]
    public async Task<IResult> GetRoutes([HttpTrigger(AuthorizationLevel.Function, "get", Route = "alerting/routes")] HttpRequest request, CancellationToken cancellationToken)
    {
        await auth.RequireAsync(request, ApiOperation.Consume, options.Value.AlertsTopic, cancellationToken);
        return await store.GetConfigAsync(cancellationToken) is { } source
            ? Results.Text(source, "application/yaml")
            : Problems.Problem(StatusCodes.Status404NotFound, "No routing configuration", "The built-in router is off: PUT a configuration to /api/alerting/routes.");
    }

    [Function("CreateSilence")]
    public async Task<IResult> CreateSilence([HttpTrigger(AuthorizationLevel.Function, "post", Route = "silences")] HttpRequest request, CancellationToken cancellationToken)
    {
        await auth.RequireAsync(request, ApiOperation.Admin, options.Value.AlertsTopic, cancellationToken);
        var body = await JsonBody.ReadAsync<SilenceRequest>(request, 64 * 1024, cancellationToken);
        if (body.Matchers is not { Count: > 0 }) throw new BadRequestException("A silence needs at least one matcher, such as job=\"api\".");
        var problems = new List<string>();
        var matchers = RoutingConfig.Matchers(body.Matchers, "matchers", problems);
        if (matchers.Count == 0 || problems.Count > 0)
        {
            throw new BadRequestException(string.Join("; ", problems.DefaultIfEmpty("Every matcher must be like job=\"api\" or job=~\"api|web\".")));
        }
        if (matchers.All(m => m.MatchesEmpty))
        {
            // As Alertmanager: a silence whose every matcher matches the empty value would mute nearly everything.
            throw new BadRequestException("At least one matcher must not match the empty value (job=\"\" or job=~\".*\" alone would silence everything).");
        }
        var now = time.GetUtcNow();
        var starts = body.StartsAt ?? now;
        if (body.EndsAt is not { } ends || ends <= starts) throw new BadRequestException("endsAt is required and must be after startsAt.");
        var silence = new Silence(Guid.NewGuid().ToString("N"), body.Matchers, starts.ToUnixTimeMilliseconds(), ends.ToUnixTimeMilliseconds(),
            body.CreatedBy ?? "", body.Comment ?? "");
        await store.PutSilenceAsync(silence, cancellationToken);
        return Results.Ok(new { silenceID = silence.Id });
    }

    [Function("ListSilences")]
    public async Task<IResult> ListSilences([HttpTrigger(AuthorizationLevel.Function, "get", Route = "silences")] HttpRequest request, CancellationToken cancellationToken)
    {
        await auth.RequireAsync(request, ApiOperation.Consume, options.Value.AlertsTopic, cancellationToken);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var silences = await store.ListSilencesAsync(cancellationToken);
        return Results.Ok(silences.OrderBy(s => s.StartsAt).Select(s => new
        {
            id = s.Id, matchers = s.Matchers, startsAt = DateTimeOffset.FromUnixTimeMilliseconds(s.StartsAt), endsAt = DateTimeOffset.FromUnixTimeMilliseconds(s.EndsAt),
            createdBy = s.CreatedBy, comment = s.Comment, status = new { state = s.IsActive(now) ? "active" : s.EndsAt <= now ? "expired" : "pending" },
        }));
    }

    [Function("ExpireSilence")]
    public async Task<IResult> ExpireSilence([HttpTrigger(AuthorizationLevel.Function, "delete", Route = "silences/{id}")] HttpRequest request, string id, CancellationToken cancellationToken)
    {
        await auth.RequireAsync(request, ApiOperation.Admin, options.Value.AlertsTopic, cancellationToken);
        var silence = (await store.ListSilencesAsync(cancellationToken)).FirstOrDefault(s => s.Id == id);
        if (silence is null) return Problems.Problem(StatusCodes.Status404NotFound, "Silence not found", $"There is no silence \"{id}\".");
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await store.PutSilenceAsync(silence with { EndsAt = Math.Min(silence.EndsAt, now), StartsAt = Math.Min(silence.StartsAt, now) }, cancellationToken);
        return Results.NoContent();
    }

    internal sealed record SilenceRequest(List<string>? Matchers, DateTimeOffset? StartsAt, DateTimeOffset? EndsAt, string? CreatedBy, string? Comment);
}

using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Platform.Core.Consumers;
using Platform.Core.Ingestion;
using Platform.Core.Ingestion.Http;
using Platform.Core.Security;
using Platform.Core.Streams;
using Platform.Core.Streams.Definition;
using Platform.Core.Streams.Engine;
using Platform.Core.Streams.Running;

namespace Platform.Functions.Http;

/// <summary>
/// Stream jobs: <c>PUT /api/jobs/{name}</c> (a definition in YAML or JSON; refused with every reason when it cannot run),
/// list, describe with lag per input partition, pause, resume, reset, delete, and the window results. Changing a job
/// needs admin on every topic it reads and writes; reading it, consume on its inputs.
/// </summary>
public sealed class StreamJobFunctions(RequestAuthorizer auth, StreamJobCatalog catalog, Core.Storage.IStreamStore store)
{
    private static readonly string[] DefinitionTypes = ["application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "application/json", "text/plain"];

    [Function("PutStreamJob")]
    public async Task<IResult> Put([HttpTrigger(AuthorizationLevel.Function, "put", Route = "jobs/{name}")] HttpRequest request, string name, CancellationToken cancellationToken)
    {
        ApiPrincipal principal = await auth.AuthenticateAsync(request, cancellationToken);
        string text = await RequestBody.ReadTextAsync(request, DefinitionTypes, StreamJobParser.MaxChars * 4, "A job definition is YAML or JSON", cancellationToken);
        StreamJob parsed = StreamJobParser.Parse(name, text);
        RequireAll(principal, ApiOperation.Admin, parsed, "change");
        (_, bool created) = await catalog.PutAsync(name, text, cancellationToken);
        object view = await ViewAsync(await catalog.GetAsync(name, cancellationToken), cancellationToken);
        return created ? Results.Created($"/api/jobs/{name}", view) : Results.Ok(view);
    }

    [Function("ListStreamJobs")]
    public async Task<IResult> List([HttpTrigger(AuthorizationLevel.Function, "get", Route = "jobs")] HttpRequest request, CancellationToken cancellationToken)
    {
        ApiPrincipal principal = await auth.AuthenticateAsync(request, cancellationToken);
        IReadOnlyList<CatalogJob> all = await catalog.ListAsync(cancellationToken);
        return Results.Ok(new
        {
            jobs = all.Where(j => j.Job.Inputs.All(t => principal.Allows(ApiOperation.Consume, t))).Select(j => new
            {
                name = j.Job.Name, from = j.Job.Inputs, to = j.Job.Outputs, state = j.Job.Problem is not null ? "invalid" : j.Paused ? "paused" : "running", problem = j.Job.Problem, kind = j.Definition is null ? "code" : "uploaded",
            }),
        });
    }

    [Function("DescribeStreamJob")]
    public async Task<IResult> Describe([HttpTrigger(AuthorizationLevel.Function, "get", Route = "jobs/{name}")] HttpRequest request, string name, CancellationToken cancellationToken)
    {
        ApiPrincipal principal = await auth.AuthenticateAsync(request, cancellationToken);
        CatalogJob job = await catalog.GetAsync(name, cancellationToken);
        RequireInputs(principal, job.Job);
        return Results.Ok(await ViewAsync(job, cancellationToken));
    }

    [Function("PauseStreamJob")]
    public async Task<IResult> Pause([HttpTrigger(AuthorizationLevel.Function, "post", Route = "jobs/{name}/pause")] HttpRequest request, string name, CancellationToken cancellationToken) =>
        await SetPausedAsync(request, name, true, cancellationToken);

    [Function("ResumeStreamJob")]
    public async Task<IResult> Resume([HttpTrigger(AuthorizationLevel.Function, "post", Route = "jobs/{name}/resume")] HttpRequest request, string name, CancellationToken cancellationToken) =>
        await SetPausedAsync(request, name, false, cancellationToken);

    [Function("ResetStreamJob")]
    public async Task<IResult> Reset([HttpTrigger(AuthorizationLevel.Function, "post", Route = "jobs/{name}/reset")] HttpRequest request, string name, CancellationToken cancellationToken)
    {
        ApiPrincipal principal = await auth.AuthenticateAsync(request, cancellationToken);
        CatalogJob job = await catalog.GetAsync(name, cancellationToken);
        RequireAll(principal, ApiOperation.Admin, job.Job, "reset");
        ResetBody body = await JsonBody.ReadAsync<ResetBody>(request, 4096, cancellationToken);
        (ResetTarget target, long at) = body.To?.ToLowerInvariant() switch
        {
            "earliest" => (ResetTarget.Earliest, 0L),
            "latest" => (ResetTarget.Latest, 0L),
            "timestamp" => (ResetTarget.Timestamp, TimeValue.ParseUnixMilliseconds(body.Timestamp, "'timestamp'")),
            _ => throw new BadRequestException("'to' must be earliest, latest or timestamp."),
        };
        await catalog.ResetAsync(name, target, at, cancellationToken);
        return Results.Ok(await ViewAsync(job, cancellationToken));
    }

    [Function("DeleteStreamJob")]
    public async Task<IResult> Delete([HttpTrigger(AuthorizationLevel.Function, "delete", Route = "jobs/{name}")] HttpRequest request, string name, CancellationToken cancellationToken)
    {
        ApiPrincipal principal = await auth.AuthenticateAsync(request, cancellationToken);
        CatalogJob job = await catalog.GetAsync(name, cancellationToken);
        RequireAll(principal, ApiOperation.Admin, job.Job, "delete");
        if (job.Job.Problem is not null && !principal.Allows(ApiOperation.Admin, "*")) throw new ForbiddenException($"Job '{name}' is invalid (its topics are unknown): deleting it needs an admin key for every topic.");
        await catalog.DeleteAsync(name, cancellationToken);
        return Results.NoContent();
    }

    [Function("StreamJobResults")]
    public async Task<IResult> Query([HttpTrigger(AuthorizationLevel.Function, "get", Route = "jobs/{name}/results")] HttpRequest request, string name, CancellationToken cancellationToken)
    {
        ApiPrincipal principal = await auth.AuthenticateAsync(request, cancellationToken);
        CatalogJob job = await catalog.GetAsync(name, cancellationToken);
        RequireInputs(principal, job.Job);
        IQueryCollection q = request.Query;
        string? key = q.TryGetValue("key", out var k) ? k.ToString() : null;
        long from = q.TryGetValue("from", out var f) ? TimeValue.ParseUnixMilliseconds(f, "from") : 0;
        long to = q.TryGetValue("to", out var t) ? TimeValue.ParseUnixMilliseconds(t, "to") : long.MaxValue;
        int limit = 100;
        if (q.TryGetValue("limit", out var l) && (!int.TryParse(l, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 10_000))
        {
            throw new BadRequestException("limit must be a number from 1 to 10000.");
        }

        if (from >= to) throw new BadRequestException("from must be before to.");
        IReadOnlyList<WindowResult> results = await store.QueryResultsAsync(job.Job.StateId, key, from, to, limit, cancellationToken);
        return Results.Text($"{{\"job\":{System.Text.Json.JsonSerializer.Serialize(name)},\"results\":[{string.Join(',', results.Select(r => r.Value.ToString(Newtonsoft.Json.Formatting.None)))}]}}", "application/json");
    }

    private async Task<IResult> SetPausedAsync(HttpRequest request, string name, bool paused, CancellationToken cancellationToken)
    {
        ApiPrincipal principal = await auth.AuthenticateAsync(request, cancellationToken);
        CatalogJob job = await catalog.GetAsync(name, cancellationToken);
        RequireAll(principal, ApiOperation.Admin, job.Job, paused ? "pause" : "resume");
        await catalog.SetPausedAsync(name, paused, cancellationToken);
        return Results.Ok(await ViewAsync(job with { Paused = paused }, cancellationToken));
    }

    private async Task<object> ViewAsync(CatalogJob job, CancellationToken cancellationToken)
    {
        IReadOnlyList<TaskProgress> tasks = await catalog.StatusAsync(job.Job, cancellationToken);
        return new
        {
            name = job.Job.Name,
            state = job.Job.Problem is not null ? "invalid" : job.Paused ? "paused" : "running",
            problem = job.Job.Problem,
            kind = job.Definition is null ? "code" : "uploaded",
            epoch = job.Job.Epoch,
            from = job.Job.Inputs,
            to = job.Job.Outputs,
            tables = job.Job.Tables,
            deadLetters = StreamContext.DeadLetterTopicOf(job.Job.Name),
            lag = tasks.Sum(s => s.Lag),
            late = tasks.Sum(s => s.Late),
            processed = tasks.Sum(s => s.Processed),
            partitions = tasks.Select(s => new { topic = s.Topic, partition = s.Partition, next = s.Next, logEndOffset = s.LogEndOffset, lag = s.Lag, watermark = s.Watermark, late = s.Late, processed = s.Processed }),
            definition = job.Definition,
        };
    }

    private static void RequireAll(ApiPrincipal principal, ApiOperation operation, StreamJob job, string what)
    {
        foreach (string topic in job.Inputs.Concat(job.Outputs).Concat(job.Tables))
        {
            if (!principal.Allows(operation, topic)) throw new ForbiddenException($"This key may not {what} job '{job.Name}': it needs {operation.ToString().ToLowerInvariant()} on topic '{topic}'.");
        }
    }

    private static void RequireInputs(ApiPrincipal principal, StreamJob job)
    {
        if (job.Inputs.FirstOrDefault(t => !principal.Allows(ApiOperation.Consume, t)) is { } topic)
        {
            throw new ForbiddenException($"This key may not read job '{job.Name}': it needs consume on topic '{topic}'.");
        }
    }

    internal sealed record ResetBody(string? To, string? Timestamp);
}

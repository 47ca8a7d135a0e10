using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Platform.Core.Security;
using Platform.Core.Ingestion;

namespace Platform.Functions.Http;

/// <summary>API key admin: create (the secret is shown once), list, revoke.</summary>
public sealed class KeyFunctions(RequestAuthorizer auth, ApiKeyService keys)
{
    [Function("CreateKey")]
    public async Task<IResult> Create([HttpTrigger(AuthorizationLevel.Function, "post", Route = "keys")] HttpRequest request, CancellationToken cancellationToken)
    {
        await auth.RequireAsync(request, ApiOperation.Admin, null, cancellationToken);
        CreateKeyRequest body = await JsonBody.ReadAsync<CreateKeyRequest>(request, 16 * 1024, cancellationToken);
        TopicGrant[] grants = [.. (body.Grants ?? []).Select((g, i) => g switch
        {
            null => throw new BadRequestException($"grants[{i}] must be an object with topics (or groups) and operations."),
            { Topics: not null, Groups: not null } => throw new BadRequestException($"grants[{i}] names both topics and groups: one grant is on one kind of resource."),
            { Groups: { } groups } => new TopicGrant(groups, ParseOperations(g.Operations, i), GrantResource.Group),
            _ => new TopicGrant(g.Topics ?? string.Empty, ParseOperations(g.Operations, i)),
        })];
        var (key, secret) = await keys.CreateAsync(body.Name ?? string.Empty, grants, cancellationToken);
        return Results.Created($"/api/keys/{key.Id}", new { key.Id, key.Name, grants = Describe(key.Grants), key = secret });
    }

    [Function("ListKeys")]
    public async Task<IResult> List([HttpTrigger(AuthorizationLevel.Function, "get", Route = "keys")] HttpRequest request, CancellationToken cancellationToken)
    {
        await auth.RequireAsync(request, ApiOperation.Admin, null, cancellationToken);
        IReadOnlyList<ApiKeyInfo> all = await keys.ListAsync(cancellationToken);
        return Results.Ok(new { keys = all.Select(k => new { k.Id, k.Name, grants = Describe(k.Grants), createdAt = DateTimeOffset.FromUnixTimeMilliseconds(k.CreatedAt) }) });
    }

    [Function("DeleteKey")]
    public async Task<IResult> Delete([HttpTrigger(AuthorizationLevel.Function, "delete", Route = "keys/{id}")] HttpRequest request, string id, CancellationToken cancellationToken)
    {
        await auth.RequireAsync(request, ApiOperation.Admin, null, cancellationToken);
        return await keys.DeleteAsync(id, cancellationToken) ? Results.NoContent() : Problems.Problem(StatusCodes.Status404NotFound, "Key not found", $"There is no key '{id}'.");
    }

    private static object[] Describe(IEnumerable<TopicGrant> grants) =>
        [.. grants.Select(g =>
        {
            IEnumerable<string> operations = Enum.GetValues<ApiOperation>().Where(o => o is not ApiOperation.None and not ApiOperation.All && g.Operations.HasFlag(o)).Select(o => o.ToString().ToLowerInvariant());
            return g.Resource == GrantResource.Group ? (object)new { groups = g.Pattern, operations } : new { topics = g.Pattern, operations };
        })];

    private static ApiOperation ParseOperations(IReadOnlyList<string?>? operations, int index)
    {
        ApiOperation result = ApiOperation.None;
        foreach (string? op in operations ?? [])
        {
            result |= op?.ToLowerInvariant() switch
            {
                "produce" => ApiOperation.Produce,
                "consume" => ApiOperation.Consume,
                "admin" => ApiOperation.Admin,
                _ => throw new BadRequestException($"grants[{index}].operations: '{op ?? "null"}' is not one of produce, consume, admin."),
            };
        }

        return result;
    }

    internal sealed record GrantRequest(string? Topics, string? Groups, IReadOnlyList<string?>? Operations);

    internal sealed record CreateKeyRequest(string? Name, IReadOnlyList<GrantRequest?>? Grants);
}

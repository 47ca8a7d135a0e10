using Microsoft.AspNetCore.Http;
using Platform.Core.Security;

namespace Platform.Functions.Http;

/// <summary>Checks the API key of a request (<c>Authorization: Bearer …</c> or <c>x-api-key</c>) before anything else.</summary>
public sealed class RequestAuthorizer(ApiKeyService keys)
{
    /// <summary>The caller, when its key allows <paramref name="operation"/> on <paramref name="topic"/> (null: the platform).</summary>
    /// <exception cref="UnauthorizedException">Missing or unknown key.</exception>
    /// <exception cref="ForbiddenException">The key does not allow it.</exception>
    public async Task<ApiPrincipal> RequireAsync(HttpRequest request, ApiOperation operation, string? topic, CancellationToken cancellationToken)
    {
        ApiPrincipal principal = await AuthenticateAsync(request, cancellationToken);
        if (!principal.Allows(operation, topic))
        {
            string what = operation.ToString().ToLowerInvariant();
            throw new ForbiddenException(topic is null ? $"This key may not {what} here." : $"This key may not {what} on topic '{topic}'.");
        }

        return principal;
    }

    /// <summary>The caller, when its key allows <paramref name="operation"/> on <paramref name="topic"/> and on consumer group <paramref name="group"/>.</summary>
    /// <exception cref="UnauthorizedException">Missing or unknown key.</exception>
    /// <exception cref="ForbiddenException">The key does not allow it.</exception>
    public async Task<ApiPrincipal> RequireGroupAsync(HttpRequest request, ApiOperation operation, string group, string topic, CancellationToken cancellationToken)
    {
        ApiPrincipal principal = await RequireAsync(request, operation, topic, cancellationToken);
        if (!principal.AllowsGroup(operation, group))
        {
            throw new ForbiddenException($"This key may not {operation.ToString().ToLowerInvariant()} as consumer group '{group}': it needs a grant on the group (\"groups\": \"{group}\", a prefix pattern or \"*\").");
        }

        return principal;
    }

    /// <summary>The caller of a key given in the query string (a browser's beacon cannot send headers).</summary>
    /// <exception cref="UnauthorizedException">Missing or unknown key.</exception>
    public async Task<ApiPrincipal> AuthenticateQueryAsync(HttpRequest request, string parameter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        string? presented = request.Query.TryGetValue(parameter, out var value) ? value.ToString().Trim() : null;
        if (string.IsNullOrEmpty(presented))
        {
            throw new UnauthorizedException($"An API key is required in the query: ?{parameter}=<key> (a key that may only produce to this topic: it is visible in the page).");
        }

        return await keys.AuthenticateAsync(presented, cancellationToken)
            ?? throw new UnauthorizedException("The API key is not valid.");
    }

    /// <summary>The caller, whatever it may do.</summary>
    /// <exception cref="UnauthorizedException">Missing or unknown key.</exception>
    public async Task<ApiPrincipal> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        string? presented = null;
        string? authorization = request.Headers.Authorization;
        if (authorization is not null && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            presented = authorization["Bearer ".Length..].Trim();
        }
        else if (authorization is not null && authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            // Basic auth with the key as password (any user name): what promtool and Grafana send from a URL's user info.
            presented = BasicPassword(authorization["Basic ".Length..].Trim());
        }
        else if (request.Headers.TryGetValue("x-api-key", out var header))
        {
            presented = header.ToString().Trim();
        }

        if (string.IsNullOrEmpty(presented))
        {
            throw new UnauthorizedException("An API key is required: 'Authorization: Bearer <key>', 'x-api-key: <key>', or Basic auth with the key as password.");
        }

        return await keys.AuthenticateAsync(presented, cancellationToken)
            ?? throw new UnauthorizedException("The API key is not valid.");
    }

    private static string? BasicPassword(string encoded)
    {
        try
        {
            string pair = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
            int colon = pair.IndexOf(':', StringComparison.Ordinal);
            return colon < 0 ? null : pair[(colon + 1)..].Trim();
        }
        catch (FormatException)
        {
            throw new UnauthorizedException("The Basic credentials are not valid base64.");
        }
    }
}

using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Platform.Core.Log;

namespace Platform.Core.Security;

/// <summary>
/// Issues and checks API keys. A key reads <c>plk_{id}_{secret}</c>; only a SHA-256 of the secret is stored,
/// and it is compared in constant time. Checked keys are cached briefly so a request costs no table read.
/// </summary>
public sealed class ApiKeyService(ApiKeyStore store, IOptions<AuthOptions> options, TimeProvider time)
{
    /// <summary>Length of a key id: 16 lower-case hex digits.</summary>
    private const int IdLength = 16;

    /// <summary>Longest key accepted from a request (checked before anything else).</summary>
    public const int MaxPresentedLength = 256;

    private const string Prefix = "plk_";
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<string, (ApiKeyInfo Key, byte[] Hash, long Until)> _cache = new(StringComparer.Ordinal);

    // Unknown ids, remembered briefly so that a flood of made-up keys costs no table reads (bounded: cleared when full).
    private static readonly TimeSpan MissFor = TimeSpan.FromSeconds(10);
    private const int MaxMisses = 10_000;
    private readonly ConcurrentDictionary<string, long> _misses = new(StringComparer.Ordinal);

    /// <summary>Creates a key; the returned secret is shown once and never stored.</summary>
    public async Task<(ApiKeyInfo Key, string Secret)> CreateAsync(string name, IReadOnlyList<TopicGrant> grants, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grants);
        if (string.IsNullOrWhiteSpace(name) || name.Length > 100)
        {
            throw new LogException(LogErrorKind.InvalidRequest, "A key needs a name of 1 to 100 characters.");
        }

        if (grants.Count == 0 || grants.Any(g => g is null || g.Operations == ApiOperation.None || (g.Operations & ~ApiOperation.All) != 0))
        {
            throw new LogException(LogErrorKind.InvalidRequest, "A key needs at least one grant; each names operations (produce, consume, admin) and a topic pattern ('*', 'prefix.*' or a topic name) or a group pattern.");
        }

        foreach (TopicGrant grant in grants)
        {
            if (grant.Resource == GrantResource.Group && (grant.Operations & ApiOperation.Produce) != 0)
            {
                throw new LogException(LogErrorKind.InvalidRequest, $"Group grant '{grant.Pattern}': groups take consume and admin, not produce.");
            }

            if (grant.Validate() is { } problem)
            {
                throw new LogException(LogErrorKind.InvalidRequest, problem);
            }
        }

        string id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(IdLength / 2));
        _misses.TryRemove(id, out _);
        string secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        var key = new ApiKeyInfo(id, name, grants, time.GetUtcNow().ToUnixTimeMilliseconds());
        await store.AddAsync(key, Convert.ToHexStringLower(Hash(secret)), cancellationToken).ConfigureAwait(false);
        return (key, $"{Prefix}{id}_{secret}");
    }

    /// <summary>The principal of a presented key, or null when it is unknown or wrong.</summary>
    public async Task<ApiPrincipal?> AuthenticateAsync(string? presented, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(presented) || presented.Length > MaxPresentedLength)
        {
            return null;
        }

        if (options.Value.AdminKey is { } admin && CryptographicOperations.FixedTimeEquals(Hash(presented), Hash(admin)))
        {
            return new ApiPrincipal("admin", "configured admin key", [new TopicGrant("*", ApiOperation.All), new TopicGrant("*", ApiOperation.All, GrantResource.Group)]);
        }

        if (!presented.StartsWith(Prefix, StringComparison.Ordinal) || presented.IndexOf('_', Prefix.Length) is var sep && sep < 0)
        {
            return null;
        }

        string id = presented[Prefix.Length..sep];
        if (!IsIssuable(id))
        {
            return null; // not an id this service issues: no lookup
        }

        byte[] hash = Hash(presented[(sep + 1)..]);
        long now = time.GetTimestamp();
        if (!_cache.TryGetValue(id, out var cached) || cached.Until < now)
        {
            if (_misses.TryGetValue(id, out long missUntil) && missUntil > now)
            {
                return null;
            }

            if (await store.FindAsync(id, cancellationToken).ConfigureAwait(false) is not { } found)
            {
                if (_misses.Count >= MaxMisses)
                {
                    _misses.Clear();
                }

                _misses[id] = now + (long)(MissFor.TotalSeconds * time.TimestampFrequency);
                return null;
            }

            cached = (found.Key, Convert.FromHexString(found.Hash), now + (long)(CacheFor.TotalSeconds * time.TimestampFrequency));
            _cache[id] = cached;
        }

        return CryptographicOperations.FixedTimeEquals(hash, cached.Hash) ? new ApiPrincipal(id, cached.Key.Name, cached.Key.Grants) : null;
    }

    /// <summary>Every key, without secrets.</summary>
    public Task<IReadOnlyList<ApiKeyInfo>> ListAsync(CancellationToken cancellationToken) => store.ListAsync(cancellationToken);

    /// <summary>Revokes a key (within the cache time on other instances).</summary>
    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        if (!IsIssuable(id))
        {
            return false; // never a key of ours; and never a storage key with '/' or '..' in it
        }

        _cache.TryRemove(id, out _);
        return await store.DeleteAsync(id, cancellationToken).ConfigureAwait(false);
    }

    private static bool IsIssuable(string? id) => id is { Length: IdLength } && id.All(char.IsAsciiHexDigitLower);

    private static byte[] Hash(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

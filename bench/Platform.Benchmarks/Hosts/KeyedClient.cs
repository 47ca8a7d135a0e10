using System.Net.Http.Headers;

namespace Platform.Benchmarks.Hosts;

/// <summary>An HTTP client for a local host that sends an API key as a bearer token.</summary>
internal static class KeyedClient
{
    public static HttpClient Create(Uri baseAddress, string apiKey, TimeSpan? timeout = null)
    {
        var client = new HttpClient { BaseAddress = baseAddress, Timeout = timeout ?? TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return client;
    }
}

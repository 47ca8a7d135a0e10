using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Platform.Cli;

/// <summary>The platform's HTTP API, with its failures turned into exit codes: refused (2, with the problem's detail) or unreachable (3).</summary>
internal sealed class PlatformClient(HttpClient http, string baseUrl, string? apiKey)
{
    public string BaseUrl => baseUrl;

    public Task<JsonNode?> GetAsync(string path, CancellationToken cancellationToken) => SendAsync(HttpMethod.Get, path, null, cancellationToken);

    public Task<JsonNode?> PostAsync(string path, JsonNode? body, CancellationToken cancellationToken) => SendAsync(HttpMethod.Post, path, body, cancellationToken);

    public Task<JsonNode?> DeleteAsync(string path, CancellationToken cancellationToken) => SendAsync(HttpMethod.Delete, path, null, cancellationToken);

    private async Task<JsonNode?> SendAsync(HttpMethod method, string path, JsonNode? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, $"{baseUrl}/api/{path.TrimStart('/')}");
        if (apiKey is not null)
        {
            request.Headers.Add("x-api-key", apiKey);
        }

        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new CliException(CliException.Unreachable, $"Cannot reach {baseUrl}: {e.Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliException(CliException.Unreachable, $"{baseUrl} did not answer in time.");
        }

        using (response)
        {
            string text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            JsonNode? json = null;
            if (text.Length > 0)
            {
                try
                {
                    json = JsonNode.Parse(text);
                }
                catch (JsonException)
                {
                    json = JsonValue.Create(text);
                }
            }

            if (!response.IsSuccessStatusCode)
            {
                string detail = json is JsonObject problem
                    ? $"{problem["title"]?.GetValue<string>() ?? response.ReasonPhrase}: {problem["detail"]?.GetValue<string>() ?? text}"
                    : $"{response.ReasonPhrase}: {text}";
                throw new CliException(CliException.Refused, $"The platform refused ({(int)response.StatusCode}) — {detail}");
            }

            return json;
        }
    }
}

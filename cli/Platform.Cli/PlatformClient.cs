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

    /// <summary>A POST with an Idempotency-Key: the platform answers a repeat with the original offsets instead of appending again.</summary>
    public Task<JsonNode?> PostIdempotentAsync(string path, JsonNode body, string idempotencyKey, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, path, body, cancellationToken, idempotencyKey);

    public Task<JsonNode?> DeleteAsync(string path, CancellationToken cancellationToken) => SendAsync(HttpMethod.Delete, path, null, cancellationToken);

    /// <summary>
    /// Follows a server-sent event stream, handing each event (name, data) to <paramref name="onEvent"/> until it returns
    /// false; reconnects with Last-Event-ID when the server ends a response (it does every few minutes), so nothing is
    /// missed or seen twice.
    /// </summary>
    public async Task FollowAsync(string path, Func<string, string, bool> onEvent, CancellationToken cancellationToken)
    {
        string? lastId = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{baseUrl}/api/{path.TrimStart('/')}");
            if (apiKey is not null) request.Headers.Add("x-api-key", apiKey);
            if (lastId is not null) request.Headers.Add("Last-Event-ID", lastId);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                throw new CliException(CliException.Unreachable, $"Cannot reach {baseUrl}: {e.Message}");
            }

            using (response)
            {
                if (!response.IsSuccessStatusCode)
                {
                    string text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                    throw new CliException(CliException.Refused, $"The platform refused ({(int)response.StatusCode}) — {text}");
                }

                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));
                string name = "message";
                var data = new StringBuilder();
                while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
                {
                    if (line.Length == 0)
                    {
                        if (data.Length > 0 && !onEvent(name, data.ToString()))
                        {
                            return;
                        }

                        (name, data) = ("message", data.Clear());
                    }
                    else if (line.StartsWith("id:", StringComparison.Ordinal)) lastId = line[3..].Trim();
                    else if (line.StartsWith("event:", StringComparison.Ordinal)) name = line[6..].Trim();
                    else if (line.StartsWith("data:", StringComparison.Ordinal)) data.Append(line[5..].TrimStart());
                }
            }
        }
    }

    private async Task<JsonNode?> SendAsync(HttpMethod method, string path, JsonNode? body, CancellationToken cancellationToken, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, $"{baseUrl}/api/{path.TrimStart('/')}");
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

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

using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Polly;
using Polly.Retry;

namespace Platform.Cli;

/// <summary>
/// The platform's HTTP API, with its failures turned into exit codes: refused (2, with the problem's detail) or
/// unreachable (3). Requests that are safe to repeat (reads, and writes with an Idempotency-Key) are retried on 429,
/// 503 and connection failures, after Retry-After, up to five times; other writes only on 429, which the platform answers
/// before writing anything (a 503 may follow a partial or ambiguous append).
/// </summary>
internal sealed class PlatformClient(HttpClient http, string baseUrl, string? apiKey, string? functionsKey = null)
{
    private static readonly ResiliencePropertyKey<bool> Repeatable = new("repeatable");

    private readonly ResiliencePipeline<HttpResponseMessage> _retries = new ResiliencePipelineBuilder<HttpResponseMessage>()
        .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
        {
            MaxRetryAttempts = 5,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(200),
            MaxDelay = TimeSpan.FromSeconds(10),
            ShouldHandle = args => ValueTask.FromResult(args.Outcome switch
            {
                { Result.StatusCode: HttpStatusCode.TooManyRequests } => true,
                { Result.StatusCode: HttpStatusCode.ServiceUnavailable } or { Exception: HttpRequestException } => args.Context.Properties.GetValue(Repeatable, false),
                _ => false,
            }),
            DelayGenerator = args => ValueTask.FromResult(args.Outcome.Result?.Headers.RetryAfter?.Delta is { } wait && wait <= TimeSpan.FromSeconds(30) ? wait : (TimeSpan?)null),
            OnRetry = args =>
            {
                args.Outcome.Result?.Dispose();
                return default;
            },
        })
        .Build();

    private long _retried;

    public string BaseUrl => baseUrl;

    /// <summary>Requests the platform asked to repeat (busy) or that failed to connect and were safe to repeat.</summary>
    public long Retried => Interlocked.Read(ref _retried);

    public Task<JsonNode?> GetAsync(string path, CancellationToken cancellationToken) => SendAsync(HttpMethod.Get, path, null, cancellationToken);

    public Task<JsonNode?> PostAsync(string path, JsonNode? body, CancellationToken cancellationToken) => SendAsync(HttpMethod.Post, path, Json(body), cancellationToken);

    public Task<JsonNode?> PatchAsync(string path, JsonNode body, CancellationToken cancellationToken) => SendAsync(HttpMethod.Patch, path, Json(body), cancellationToken);

    /// <summary>A PUT of text (a YAML rule file), sent as <paramref name="mediaType"/>.</summary>
    public Task<JsonNode?> PutTextAsync(string path, string text, string mediaType, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Put, path, () => new StringContent(text, Encoding.UTF8, mediaType), cancellationToken);

    /// <summary>A POST with an Idempotency-Key: the platform answers a repeat with the original offsets instead of appending again.</summary>
    public Task<JsonNode?> PostIdempotentAsync(string path, JsonNode body, string idempotencyKey, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, path, Json(body), cancellationToken, idempotencyKey);

    /// <summary>A POST of a JSON body already serialized, with an Idempotency-Key when one is given.</summary>
    public Task<JsonNode?> PostJsonAsync(string path, ReadOnlyMemory<byte> json, string? idempotencyKey, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, path, () => new ReadOnlyMemoryContent(json) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } }, cancellationToken, idempotencyKey);

    public Task<JsonNode?> DeleteAsync(string path, CancellationToken cancellationToken) => SendAsync(HttpMethod.Delete, path, null, cancellationToken);

    /// <summary>
    /// Follows a server-sent event stream, handing each event (name, data) to <paramref name="onEvent"/> until it returns
    /// false; reconnects with Last-Event-ID when the server ends a response (it does every few minutes), so nothing is
    /// missed or seen twice.
    /// </summary>
    /// <param name="path">The stream's path and query.</param>
    /// <param name="onEvent">Gets each event's name and data; false stops.</param>
    /// <param name="lastId">Where to start: a stream position (<c>0:13,1:40</c>), or null for the query's <c>from</c>.</param>
    /// <param name="cancellationToken">Stops following.</param>
    public async Task FollowAsync(string path, Func<string, string, bool> onEvent, string? lastId, CancellationToken cancellationToken)
    {
        int failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, Url(path));
            AddKeys(request);
            if (lastId is not null) request.Headers.Add("Last-Event-ID", lastId);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            TimeSpan? wait = null;
            bool handing = false;
            try
            {
                using HttpResponseMessage response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable)
                {
                    // Too many streams, or storage trouble: the server asks to come back later.
                    wait = response.Headers.RetryAfter?.Delta;
                    throw new HttpRequestException($"the platform answered {(int)response.StatusCode}");
                }

                if (!response.IsSuccessStatusCode)
                {
                    string text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                    throw Refused(response, text, Parse(text));
                }

                failures = 0;
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));
                string name = "message";
                string? id = null;
                var data = new StringBuilder();
                while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
                {
                    if (line.Length == 0)
                    {
                        if (name == "error")
                        {
                            // A passing failure on the server's side: it names where to resume and when to come back.
                            if (id is not null) lastId = id;
                            throw new HttpRequestException($"the stream reported: {data}");
                        }

                        if (data.Length > 0)
                        {
                            // The position moves only with an event handed out: a response cut inside one resumes before it.
                            handing = true;
                            if (!onEvent(name, data.ToString())) return;
                            handing = false;
                        }

                        if (id is not null) lastId = id;
                        (name, id, data) = ("message", null, data.Clear());
                    }
                    else if (line.StartsWith("id:", StringComparison.Ordinal)) id = line[3..].Trim();
                    else if (line.StartsWith("event:", StringComparison.Ordinal)) name = line[6..].Trim();
                    else if (line.StartsWith("data:", StringComparison.Ordinal)) data.Append(line[5..].TrimStart());
                    else if (line.StartsWith("retry:", StringComparison.Ordinal) && int.TryParse(line[6..].Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int ms)) wait = TimeSpan.FromMilliseconds(ms);
                }
            }
            catch (Exception e) when (!handing && !cancellationToken.IsCancellationRequested && e is HttpRequestException or IOException or TaskCanceledException)
            {
                // A lost connection, a timeout, or the server asking to come back: reconnect, a few times in a row at most.
                if (++failures > 5) throw new CliException(CliException.Unreachable, $"Lost the stream from {baseUrl} five times in a row: {e.Message}");
            }

            if (failures > 0)
            {
                await Task.Delay(wait is { } w && w <= TimeSpan.FromSeconds(30) ? w : TimeSpan.FromMilliseconds(200 * (1 << Math.Min(failures, 5))), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private void AddKeys(HttpRequestMessage request)
    {
        if (apiKey is not null) request.Headers.Add("x-api-key", apiKey);
        if (functionsKey is not null) request.Headers.Add("x-functions-key", functionsKey);
    }

    private static Func<HttpContent>? Json(JsonNode? body) => body is null ? null : () => new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");

    private string Url(string path) => $"{baseUrl}/api/{path.TrimStart('/')}";

    private async Task<JsonNode?> SendAsync(HttpMethod method, string path, Func<HttpContent>? content, CancellationToken cancellationToken, string? idempotencyKey = null)
    {
        ResilienceContext context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(Repeatable, method == HttpMethod.Get || idempotencyKey is not null);
        HttpResponseMessage response;
        try
        {
            int attempt = 0;
            response = await _retries.ExecuteAsync(async ctx =>
            {
                if (attempt++ > 0) Interlocked.Increment(ref _retried);
                using var request = new HttpRequestMessage(method, Url(path)) { Content = content?.Invoke() };
                if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
                AddKeys(request);
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                return await http.SendAsync(request, ctx.CancellationToken).ConfigureAwait(false);
            }, context).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new CliException(CliException.Unreachable, $"Cannot reach {baseUrl}: {e.Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliException(CliException.Unreachable, $"{baseUrl} did not answer in time.");
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        using (response)
        {
            string text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            JsonNode? json = Parse(text);
            return response.IsSuccessStatusCode ? json : throw Refused(response, text, json);
        }
    }

    private static JsonNode? Parse(string text)
    {
        if (text.Length == 0) return null;
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);
        }
    }

    private static CliException Refused(HttpResponseMessage response, string text, JsonNode? json)
    {
        string detail = json is JsonObject problem
            ? $"{problem["title"]?.GetValue<string>() ?? response.ReasonPhrase}: {problem["detail"]?.GetValue<string>() ?? problem["error"]?.GetValue<string>() ?? text}"
            : $"{response.ReasonPhrase}: {text}";
        return new CliException(CliException.Refused, $"The platform refused ({(int)response.StatusCode}) — {detail}");
    }
}

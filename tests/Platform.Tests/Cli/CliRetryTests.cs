using System.Net;
using Platform.Cli;

namespace Platform.Tests.Cli;

/// <summary>
/// What the command line repeats and what it never does: a 429 is retried (nothing was written), a 503 only for a request
/// that carries an Idempotency-Key (a produce batch), never for other writes, whose 503 may follow a partial write.
/// </summary>
public sealed class CliRetryTests
{
    [Fact]
    public async Task A_503_to_a_write_without_an_idempotency_key_is_not_sent_again_but_a_429_is()
    {
        await using var server = await ScriptedServer.StartAsync([(503, "1"), (201, null)]);
        var stderr = new StringWriter();
        int exit = await CliApp.RunAsync(["topics", "create", "orders", "--url", server.Url, "--api-key", "k"], new StringWriter(), stderr, null, default);
        Assert.Equal(2, exit);
        Assert.Contains("refused (503)", stderr.ToString(), StringComparison.Ordinal);
        Assert.Single(server.Requests);

        await using var busy = await ScriptedServer.StartAsync([(429, "0"), (201, null)]);
        Assert.Equal(0, await CliApp.RunAsync(["topics", "create", "orders", "--url", busy.Url, "--api-key", "k"], new StringWriter(), new StringWriter(), null, default));
        Assert.Equal(2, busy.Requests.Count);
    }

    [Fact]
    public async Task A_produce_batch_is_sent_again_after_a_503_with_the_same_idempotency_key()
    {
        await using var server = await ScriptedServer.StartAsync([(503, "0"), (200, null)]);
        int exit = await CliApp.RunAsync(["produce", "orders", "a", "b", "--url", server.Url, "--api-key", "k"], new StringWriter(), new StringWriter(), null, default);
        Assert.Equal(0, exit);
        Assert.Equal(2, server.Requests.Count);
        Assert.NotNull(server.Requests[0].IdempotencyKey);
        Assert.Equal(server.Requests[0].IdempotencyKey, server.Requests[1].IdempotencyKey);
        Assert.Equal(server.Requests[0].Body, server.Requests[1].Body);
    }

    [Fact]
    public async Task A_deployments_functions_key_goes_with_every_request_when_given()
    {
        await using var server = await ScriptedServer.StartAsync([(201, null)]);
        Assert.Equal(0, await CliApp.RunAsync(["topics", "create", "orders", "--url", server.Url, "--api-key", "k", "--functions-key", "fk-123"], new StringWriter(), new StringWriter(), null, default));
        Assert.Equal("fk-123", Assert.Single(server.Requests).FunctionsKey);
    }

    /// <summary>An HTTP server that answers with a script of statuses (and Retry-After), recording what it was sent.</summary>
    private sealed class ScriptedServer : IAsyncDisposable
    {
        private readonly HttpListener _listener;
        private readonly Task _serving;

        private ScriptedServer(HttpListener listener, string url, Queue<(int Status, string? RetryAfter)> script)
        {
            _listener = listener;
            Url = url;
            _serving = ServeAsync(script);
        }

        public string Url { get; }

        public List<(string Method, string? IdempotencyKey, string Body, string? FunctionsKey)> Requests { get; } = [];

        public static Task<ScriptedServer> StartAsync(IEnumerable<(int Status, string? RetryAfter)> script)
        {
            int port;
            using (var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                port = ((IPEndPoint)probe.LocalEndpoint).Port;
            }

            string url = $"http://127.0.0.1:{port}";
            var listener = new HttpListener();
            listener.Prefixes.Add(url + "/");
            listener.Start();
            return Task.FromResult(new ScriptedServer(listener, url, new Queue<(int, string?)>(script)));
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            _listener.Close();
            try
            {
                await _serving;
            }
            catch (HttpListenerException)
            {
            }
            catch (ObjectDisposedException)
            {
            }
        }

        private async Task ServeAsync(Queue<(int Status, string? RetryAfter)> script)
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context = await _listener.GetContextAsync();
                using (var reader = new StreamReader(context.Request.InputStream))
                {
                    Requests.Add((context.Request.HttpMethod, context.Request.Headers["Idempotency-Key"], await reader.ReadToEndAsync(), context.Request.Headers["x-functions-key"]));
                }

                (int status, string? retryAfter) = script.Count > 0 ? script.Dequeue() : (500, null);
                context.Response.StatusCode = status;
                if (retryAfter is not null) context.Response.Headers["Retry-After"] = retryAfter;
                context.Response.ContentType = status >= 400 ? "application/problem+json" : "application/json";
                byte[] body = System.Text.Encoding.UTF8.GetBytes(status >= 400 ? $"{{\"title\":\"scripted\",\"status\":{status},\"detail\":\"scripted {status}\"}}" : "{\"name\":\"orders\",\"partitions\":1,\"offsets\":[]}");
                await context.Response.OutputStream.WriteAsync(body);
                context.Response.Close();
            }
        }
    }
}

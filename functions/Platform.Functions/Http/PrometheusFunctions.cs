using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using Platform.Core.Ingestion;
using Platform.Core.Ingestion.Otlp;
using Platform.Core.Metrics.Api;
using Platform.Core.Security;

namespace Platform.Functions.Http;

/// <summary>
/// The Prometheus HTTP API under <c>/api/prometheus</c>, so a Grafana Prometheus data source or <c>promtool query</c>
/// pointed at <c>…/api/prometheus</c> works. GET with query parameters or POST with a form body, as in Prometheus. A key
/// must be allowed to consume the OTLP metrics topic.
/// </summary>
public sealed class PrometheusFunctions(RequestAuthorizer auth, PrometheusApi api, IOptions<OtlpOptions> otlp)
{
    private const int MaxFormBytes = 1024 * 1024;

    [Function("PrometheusQuery")]
    public Task<IResult> Query([HttpTrigger(AuthorizationLevel.Function, "get", "post", Route = "prometheus/api/v1/query")] HttpRequest request, CancellationToken cancellationToken) =>
        RunAsync(request, api.QueryAsync, cancellationToken);

    [Function("PrometheusQueryRange")]
    public Task<IResult> QueryRange([HttpTrigger(AuthorizationLevel.Function, "get", "post", Route = "prometheus/api/v1/query_range")] HttpRequest request, CancellationToken cancellationToken) =>
        RunAsync(request, api.QueryRangeAsync, cancellationToken);

    [Function("PrometheusSeries")]
    public Task<IResult> Series([HttpTrigger(AuthorizationLevel.Function, "get", "post", Route = "prometheus/api/v1/series")] HttpRequest request, CancellationToken cancellationToken) =>
        RunAsync(request, api.SeriesAsync, cancellationToken);

    [Function("PrometheusLabels")]
    public Task<IResult> Labels([HttpTrigger(AuthorizationLevel.Function, "get", "post", Route = "prometheus/api/v1/labels")] HttpRequest request, CancellationToken cancellationToken) =>
        RunAsync(request, api.LabelsAsync, cancellationToken);

    [Function("PrometheusLabelValues")]
    public Task<IResult> LabelValues([HttpTrigger(AuthorizationLevel.Function, "get", Route = "prometheus/api/v1/label/{name}/values")] HttpRequest request, string name, CancellationToken cancellationToken) =>
        RunAsync(request, (p, ct) => api.LabelValuesAsync(name, p, ct), cancellationToken);

    [Function("PrometheusMetadata")]
    public Task<IResult> Metadata([HttpTrigger(AuthorizationLevel.Function, "get", Route = "prometheus/api/v1/metadata")] HttpRequest request, CancellationToken cancellationToken) =>
        RunAsync(request, api.MetadataAsync, cancellationToken);

    [Function("PrometheusBuildInfo")]
    public Task<IResult> BuildInfo([HttpTrigger(AuthorizationLevel.Function, "get", Route = "prometheus/api/v1/status/buildinfo")] HttpRequest request, CancellationToken cancellationToken) =>
        RunAsync(request, (_, _) => Task.FromResult(PrometheusApi.BuildInfo()), cancellationToken);

    private async Task<IResult> RunAsync(HttpRequest request, Func<PrometheusParameters, CancellationToken, Task<PrometheusResponse>> handle, CancellationToken cancellationToken)
    {
        await auth.RequireAsync(request, ApiOperation.Consume, otlp.Value.MetricsTopic, cancellationToken);
        var response = await handle(await ParametersAsync(request, cancellationToken), cancellationToken);
        return Results.Content(Encoding.UTF8.GetString(response.Body), "application/json", Encoding.UTF8, response.StatusCode);
    }

    private static async Task<PrometheusParameters> ParametersAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (name, value) in request.Query)
        {
            values[name] = [.. value.OfType<string>()];
        }
        if (HttpMethods.IsPost(request.Method))
        {
            var mediaType = request.ContentType?.Split(';')[0].Trim();
            if (!string.Equals(mediaType, "application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
            {
                throw new UnsupportedMediaTypeException("POST bodies of the Prometheus API are forms: Content-Type: application/x-www-form-urlencoded.");
            }
            // Read within the limit whatever the framing (a chunked body has no Content-Length), then parse.
            var body = await BoundedCopy.ReadAllAsync(request.Body, MaxFormBytes, $"The form is larger than {MaxFormBytes} bytes.", cancellationToken, request.ContentLength);
            foreach (var (name, value) in QueryHelpers.ParseQuery(Encoding.UTF8.GetString(body)))
            {
                if (!values.TryGetValue(name, out var list)) values[name] = list = [];
                list.AddRange(value.OfType<string>());
            }
        }
        return new PrometheusParameters(values.ToDictionary(p => p.Key, p => (IReadOnlyList<string>)p.Value, StringComparer.Ordinal));
    }
}

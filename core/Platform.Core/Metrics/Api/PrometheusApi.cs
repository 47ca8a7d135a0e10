using System.Text.Json;
using Platform.Core.Metrics.Query;
using Platform.Core.Storage;
using Platform.Promql.Api;
using Platform.Promql.Engine;
using Platform.Promql.Parser;
using Platform.Promql.Series;

namespace Platform.Core.Metrics.Api;

/// <summary>
/// The Prometheus HTTP API (<c>/api/v1/query</c>, <c>query_range</c>, <c>series</c>, <c>labels</c>,
/// <c>label/&lt;name&gt;/values</c>, <c>metadata</c>, <c>status/buildinfo</c>) over stored series: the same parameters,
/// result shapes and error types as Prometheus. Hosts only route and authenticate.
/// </summary>
public sealed class PrometheusApi(QueryEngine engine, StoredSeriesQuerier querier, IMetricStore store, TimeProvider time)
{
    /// <summary>The Prometheus version whose API and PromQL semantics this follows (reported by buildinfo).</summary>
    public const string CompatibleVersion = "2.42.0";

    private const long AllTimeMin = -62_135_596_800_000; // 0001-01-01
    private const long AllTimeMax = 253_402_300_799_000; // 9999-12-31

    /// <summary><c>/api/v1/query</c>.</summary>
    public Task<PrometheusResponse> QueryAsync(PrometheusParameters parameters, CancellationToken cancellationToken) =>
        RunAsync(async ct =>
        {
            var query = parameters.Required("query");
            var at = parameters.Time("time", Now());
            using var timeout = Timeout(parameters, ct);
            var value = await engine.InstantAsync(querier, query, at, timeout.Token).ConfigureAwait(false);
            return Write(w => PrometheusJson.WriteQueryResult(w, value));
        }, cancellationToken);

    /// <summary><c>/api/v1/query_range</c>.</summary>
    public Task<PrometheusResponse> QueryRangeAsync(PrometheusParameters parameters, CancellationToken cancellationToken) =>
        RunAsync(async ct =>
        {
            var query = parameters.Required("query");
            var start = parameters.Time("start", long.MinValue);
            var end = parameters.Time("end", long.MinValue);
            if (start == long.MinValue) throw new QueryException(QueryErrorType.BadData, "invalid parameter \"start\": parameter is missing");
            if (end == long.MinValue) throw new QueryException(QueryErrorType.BadData, "invalid parameter \"end\": parameter is missing");
            if (end < start) throw new QueryException(QueryErrorType.BadData, "invalid parameter \"end\": end timestamp must not be before start time");
            var step = parameters.Duration("step") ?? throw new QueryException(QueryErrorType.BadData, "invalid parameter \"step\": parameter is missing");
            using var timeout = Timeout(parameters, ct);
            var value = await engine.RangeAsync(querier, query, start, end, step, timeout.Token).ConfigureAwait(false);
            return Write(w => PrometheusJson.WriteQueryResult(w, value));
        }, cancellationToken);

    /// <summary><c>/api/v1/series</c>: label sets of the series that match any <c>match[]</c>.</summary>
    public Task<PrometheusResponse> SeriesAsync(PrometheusParameters parameters, CancellationToken cancellationToken) =>
        RunAsync(async ct =>
        {
            var selectors = Selectors(parameters);
            if (selectors.Count == 0) throw new QueryException(QueryErrorType.BadData, "no match[] parameter provided");
            var (start, end) = Range(parameters);
            var found = new HashSet<Labels>();
            foreach (var matchers in selectors)
            {
                foreach (var series in await querier.MatchingAsync(matchers, start, end, ct).ConfigureAwait(false)) found.Add(series.Labels);
            }
            var sorted = found.ToList();
            sorted.Sort(Labels.Compare);
            return Write(w => PrometheusJson.WriteSeries(w, sorted));
        }, cancellationToken);

    /// <summary><c>/api/v1/labels</c>.</summary>
    public Task<PrometheusResponse> LabelsAsync(PrometheusParameters parameters, CancellationToken cancellationToken) =>
        RunAsync(async ct =>
        {
            var (start, end) = Range(parameters);
            var names = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var matchers in SelectorsOrAll(parameters))
            {
                names.UnionWith(await querier.LabelNamesAsync(matchers, start, end, ct).ConfigureAwait(false));
            }
            return Write(w => PrometheusJson.WriteStrings(w, names));
        }, cancellationToken);

    /// <summary><c>/api/v1/label/&lt;name&gt;/values</c>.</summary>
    public Task<PrometheusResponse> LabelValuesAsync(string name, PrometheusParameters parameters, CancellationToken cancellationToken) =>
        RunAsync(async ct =>
        {
            if (name != Labels.MetricName && !PromqlParser.IsLabelName(name))
            {
                throw new QueryException(QueryErrorType.BadData, $"invalid label name: \"{name}\"");
            }
            var (start, end) = Range(parameters);
            var values = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var matchers in SelectorsOrAll(parameters))
            {
                values.UnionWith(await querier.LabelValuesAsync(name, matchers, start, end, ct).ConfigureAwait(false));
            }
            return Write(w => PrometheusJson.WriteStrings(w, values));
        }, cancellationToken);

    /// <summary><c>/api/v1/metadata</c>: type, help and unit per metric (optionally one <c>metric</c>, at most <c>limit</c>).</summary>
    public Task<PrometheusResponse> MetadataAsync(PrometheusParameters parameters, CancellationToken cancellationToken) =>
        RunAsync(async ct =>
        {
            var metric = parameters.Get("metric");
            var limit = int.MaxValue;
            if (parameters.Get("limit") is { Length: > 0 } text
                && (!int.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out limit)))
            {
                throw new QueryException(QueryErrorType.BadData, "invalid parameter \"limit\": limit must be a number");
            }
            if (limit < 0) limit = int.MaxValue;
            var all = await store.ListMetadataAsync(ct).ConfigureAwait(false);
            var chosen = all.Where(m => string.IsNullOrEmpty(metric) || m.Metric == metric).Take(limit).ToList();
            return Write(w =>
            {
                w.WriteStartObject();
                w.WriteString("status", "success");
                w.WriteStartObject("data");
                foreach (var m in chosen)
                {
                    w.WriteStartArray(m.Metric);
                    w.WriteStartObject();
                    w.WriteString("type", m.Type);
                    w.WriteString("help", m.Help);
                    w.WriteString("unit", m.Unit);
                    w.WriteEndObject();
                    w.WriteEndArray();
                }
                w.WriteEndObject();
                w.WriteEndObject();
            });
        }, cancellationToken);

    /// <summary><c>/api/v1/status/buildinfo</c>: what Grafana reads to pick its Prometheus features.</summary>
    public static PrometheusResponse BuildInfo() => Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("status", "success");
        w.WriteStartObject("data");
        w.WriteString("version", CompatibleVersion);
        w.WriteString("revision", "platform");
        w.WriteString("branch", "main");
        w.WriteString("buildUser", "platform");
        w.WriteString("buildDate", "");
        w.WriteString("goVersion", "");
        w.WriteEndObject();
        w.WriteEndObject();
    });

    /// <summary>An error answer in the API's shape.</summary>
    public static PrometheusResponse Error(QueryErrorType type, string message)
    {
        var response = Write(w => PrometheusJson.WriteError(w, type, message));
        return response with { StatusCode = PrometheusJson.StatusCode(type) };
    }

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    private static CancellationTokenSource Timeout(PrometheusParameters parameters, CancellationToken cancellationToken)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // A request may shorten the engine's QueryTimeout, never lengthen it; anything longer than a day is a day.
        if (parameters.Duration("timeout") is { } ms) source.CancelAfter(TimeSpan.FromMilliseconds(Math.Min(ms, 86_400_000)));
        return source;
    }

    private static (long Start, long End) Range(PrometheusParameters parameters) =>
        (parameters.Time("start", AllTimeMin), parameters.Time("end", AllTimeMax));

    private static List<IReadOnlyList<LabelMatcher>> Selectors(PrometheusParameters parameters)
    {
        var selectors = new List<IReadOnlyList<LabelMatcher>>();
        foreach (var text in parameters.All("match[]"))
        {
            try
            {
                selectors.Add(PromqlParser.ParseSelector(text));
            }
            catch (PromqlParseException e)
            {
                throw new QueryException(QueryErrorType.BadData, $"invalid parameter \"match[]\": {e.Message}");
            }
        }
        return selectors;
    }

    private static List<IReadOnlyList<LabelMatcher>> SelectorsOrAll(PrometheusParameters parameters)
    {
        var selectors = Selectors(parameters);
        if (selectors.Count == 0) selectors.Add([]);
        return selectors;
    }

    private static async Task<PrometheusResponse> RunAsync(Func<CancellationToken, Task<PrometheusResponse>> run, CancellationToken cancellationToken)
    {
        try
        {
            return await run(cancellationToken).ConfigureAwait(false);
        }
        catch (QueryException e)
        {
            // A timeout set by the request's own "timeout" parameter surfaces as cancellation of the engine's token.
            return Error(e.ErrorType == QueryErrorType.Canceled && !cancellationToken.IsCancellationRequested ? QueryErrorType.Timeout : e.ErrorType, e.Message);
        }
        catch (PromqlParseException e)
        {
            return Error(QueryErrorType.BadData, e.Message);
        }
        catch (System.Text.RegularExpressions.RegexMatchTimeoutException)
        {
            return Error(QueryErrorType.Execution, "a regular expression took too long to match");
        }
    }

    private static PrometheusResponse Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer)) write(writer);
        return new PrometheusResponse(200, buffer.ToArray());
    }
}

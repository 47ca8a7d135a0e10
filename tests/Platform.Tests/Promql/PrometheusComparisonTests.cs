using System.Globalization;
using System.Text;
using System.Text.Json;
using Platform.Benchmarks.Peers;
using Platform.Promql.Api;
using Platform.Promql.Engine;
using Platform.Promql.Storage;
using Xunit.Abstractions;

namespace Platform.Tests.Promql;

/// <summary>The real Prometheus over ReferenceData, started once for the class.</summary>
public sealed class PrometheusReferenceFixture : IAsyncLifetime
{
    internal ReferenceData Data { get; } = new();

    internal PrometheusServer? Server { get; private set; }

    internal InMemorySeriesStore Store { get; private set; } = new();

    public async Task InitializeAsync()
    {
        Store = Data.ToStore();
        if (PrometheusServer.Missing is null) Server = await PrometheusServer.StartAsync(Data.ToOpenMetrics(), CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (Server is not null) await Server.DisposeAsync();
    }
}

/// <summary>
/// Every query of testdata/comparison-queries.txt, as instant queries at five times and as two range queries, answered
/// by this engine and by the real Prometheus over the same samples: same result type, same label sets, values equal
/// within 1e-9 relative, same error type when both fail.
/// </summary>
public sealed class PrometheusComparisonTests(PrometheusReferenceFixture reference, ITestOutputHelper output) : IClassFixture<PrometheusReferenceFixture>
{
    private static readonly long[] InstantTimes =
    [
        ReferenceData.T0 + 30 * ReferenceData.Minute + 7_000,
        ReferenceData.T0 + 45 * ReferenceData.Minute,
        ReferenceData.T0 + 61 * ReferenceData.Minute,
        ReferenceData.T0 + 65 * ReferenceData.Minute,
        ReferenceData.T0 + 66 * ReferenceData.Minute,
    ];

    private static readonly (long Start, long End, long Step)[] Ranges =
    [
        (ReferenceData.T0, ReferenceData.T0 + 70 * ReferenceData.Minute, 60_000),
        (ReferenceData.T0 + 5_000, ReferenceData.T0 + 45 * ReferenceData.Minute, 37_000),
    ];

    internal static IReadOnlyList<string> Queries()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Promql", "testdata", "comparison-queries.txt");
        string Seconds(long ms) => (ms / 1000).ToString(CultureInfo.InvariantCulture);
        return File.ReadAllLines(path)
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Replace("{T20}", Seconds(ReferenceData.T0 + 20 * ReferenceData.Minute), StringComparison.Ordinal)
                .Replace("{T40}", Seconds(ReferenceData.T0 + 40 * ReferenceData.Minute), StringComparison.Ordinal))
            .ToList();
    }

    [Fact]
    public void The_query_table_covers_at_least_sixty_queries() => Assert.True(Queries().Count >= 60, $"{Queries().Count} queries");

    [PrometheusFact]
    public async Task Every_query_answers_as_prometheus_does()
    {
        var server = reference.Server ?? throw new InvalidOperationException("the reference did not start");
        using var http = new HttpClient { BaseAddress = server.Url, Timeout = TimeSpan.FromSeconds(30) };
        var engine = new QueryEngine(new EngineOptions());
        var failures = new List<string>();
        var compared = 0;
        var withData = 0;
        foreach (var query in Queries())
        {
            foreach (var time in InstantTimes)
            {
                var expected = await PrometheusAsync(http, $"api/v1/query?query={Uri.EscapeDataString(query)}&time={PromFloat.FormatTime(time)}");
                var actual = await EngineAsync(() => engine.InstantAsync(reference.Store, query, time, CancellationToken.None));
                compared++;
                if (expected.Series.Count > 0) withData++;
                if (ApiResult.Difference(expected, actual) is { } why) failures.Add($"instant {query} @ {PromFloat.FormatTime(time)}: {why}");
            }
            foreach (var (start, end, step) in Ranges)
            {
                var expected = await PrometheusAsync(http,
                    $"api/v1/query_range?query={Uri.EscapeDataString(query)}&start={PromFloat.FormatTime(start)}&end={PromFloat.FormatTime(end)}&step={PromFloat.FormatTime(step)}");
                var actual = await EngineAsync(async () => await engine.RangeAsync(reference.Store, query, start, end, step, CancellationToken.None));
                compared++;
                if (expected.Series.Count > 0) withData++;
                if (ApiResult.Difference(expected, actual) is { } why) failures.Add($"range {query} step {step / 1000}s: {why}");
            }
        }
        output.WriteLine($"{Queries().Count} queries, {compared} comparisons ({withData} with data), {failures.Count} differences");
        // A reference that answers nothing (blocks not loaded, wrong times) must not pass as agreement.
        Assert.True(withData > compared * 6 / 10, $"only {withData} of {compared} reference answers hold data");
        foreach (var failure in failures) output.WriteLine(failure);
        Assert.True(failures.Count == 0, $"{failures.Count} of {compared} differ:\n" + string.Join("\n", failures.Take(40)));
    }

    private static async Task<ApiResult> PrometheusAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
        return ApiResult.Parse(await response.Content.ReadAsStringAsync());
    }

    internal static async Task<ApiResult> EngineAsync(Func<Task<QueryValue>> run)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            try
            {
                PrometheusJson.WriteQueryResult(writer, await run());
            }
            catch (QueryException e)
            {
                PrometheusJson.WriteError(writer, e.ErrorType, e.Message);
            }
        }
        return ApiResult.Parse(Encoding.UTF8.GetString(buffer.ToArray()));
    }
}

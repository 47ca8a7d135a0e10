using System.Text.RegularExpressions;
using Platform.Promql.Parser;
using Platform.Promql.Series;
using Platform.Promql.Storage;

namespace Platform.Promql.Engine;

/// <summary>
/// Runs PromQL queries over an <see cref="ISeriesQuerier"/>: parses, loads each selector's series once for the whole
/// query, then evaluates step by step. Bounded like Prometheus: <see cref="EngineOptions.MaxSamples"/> and
/// <see cref="EngineOptions.Timeout"/>; failures are <see cref="QueryException"/> with the API's error type.
/// </summary>
public sealed class QueryEngine
{
    private readonly EngineOptions _options;

    /// <summary>Creates an engine with the given limits.</summary>
    public QueryEngine(EngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <summary>Parses a query, mapping syntax errors to <see cref="QueryErrorType.BadData"/>.</summary>
    public static Expr Parse(string query)
    {
        try
        {
            return PromqlParser.Parse(query);
        }
        catch (PromqlParseException e)
        {
            throw new QueryException(QueryErrorType.BadData, e.Message);
        }
    }

    /// <summary>Evaluates a query at one time (Unix ms): a scalar, string, vector or (for a range selector) matrix.</summary>
    public async Task<QueryValue> InstantAsync(ISeriesQuerier querier, string query, long time, CancellationToken cancellationToken)
    {
        var expr = Parse(query);
        return await RunAsync(querier, expr, time, time, 1, async (ev, ct) =>
        {
            await Task.CompletedTask.ConfigureAwait(false);
            var value = ev.Eval(expr, time);
            return value switch
            {
                VectorValue v => new VectorValue(v.Samples.Select(s => s with { T = time }).ToList()),
                _ => value,
            };
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Evaluates a query at every step in [start, end] (Unix ms): a matrix, one series per label set.</summary>
    public async Task<MatrixValue> RangeAsync(ISeriesQuerier querier, string query, long start, long end, long step, CancellationToken cancellationToken)
    {
        var expr = Parse(query);
        if (expr.Type is not (ExprType.Scalar or ExprType.Vector))
        {
            throw new QueryException(QueryErrorType.BadData,
                $"invalid expression type \"{PromqlParser.TypeName(expr.Type)}\" for range query, must be Scalar or instant Vector");
        }
        if (step <= 0) throw new QueryException(QueryErrorType.BadData, "zero or negative query resolution step widths are not accepted. Try a positive integer");
        if (end < start) throw new QueryException(QueryErrorType.BadData, "end timestamp must not be before start time");
        // As Prometheus: (end - start) / step may be at most 11,000; computed without overflow.
        if (((decimal)end - start) / step > _options.MaxPointsPerSeries)
        {
            throw new QueryException(QueryErrorType.BadData,
                $"exceeded maximum resolution of {_options.MaxPointsPerSeries} points per timeseries. Try decreasing the query resolution (?step=XX)");
        }
        var value = await RunAsync(querier, expr, start, end, step, async (ev, ct) =>
        {
            await Task.CompletedTask.ConfigureAwait(false);
            var series = new Dictionary<Labels, List<Point>>();
            long produced = 0;
            var steps = (long)(((decimal)end - start) / step);
            for (long i = 0; i <= steps; i++)
            {
                var ts = start + i * step;
                ct.ThrowIfCancellationRequested();
                switch (ev.Eval(expr, ts))
                {
                    case ScalarValue s:
                        Append(series, Labels.Empty, ts, s.F);
                        produced++;
                        break;
                    case VectorValue v:
                        foreach (var sample in v.Samples) Append(series, sample.Metric, ts, sample.F);
                        produced += v.Samples.Count;
                        break;
                }
                if (produced > _options.MaxSamples) throw TooManySamples();
            }
            return new MatrixValue(series.OrderBy(p => p.Key, LabelsComparer.Instance).Select(p => new SeriesData(p.Key, p.Value)).ToList());
        }, cancellationToken).ConfigureAwait(false);
        return (MatrixValue)value;
    }

    private static void Append(Dictionary<Labels, List<Point>> series, Labels labels, long ts, double value)
    {
        if (!series.TryGetValue(labels, out var points)) series[labels] = points = [];
        points.Add(new Point(ts, value));
    }

    /// <summary>The error of a query over <see cref="EngineOptions.MaxSamples"/>, as Prometheus words it.</summary>
    public static QueryException TooManySamples() =>
        new(QueryErrorType.Execution, "query processing would load too many samples into memory in query execution");

    private async Task<QueryValue> RunAsync(ISeriesQuerier querier, Expr expr, long start, long end, long step,
        Func<Evaluator, CancellationToken, Task<QueryValue>> evaluate, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        var ct = timeout.Token;
        try
        {
            var prepared = new PreparedQuery(expr, start, end, step);
            var lookback = (long)_options.LookbackDelta.TotalMilliseconds;
            long loaded = 0;
            foreach (var (selector, minT, maxT) in prepared.Windows(lookback))
            {
                var series = new List<(Labels, Point[])>();
                await foreach (var data in querier.SelectAsync(selector.Matchers, minT, maxT, _options.MaxSamples - loaded, ct).ConfigureAwait(false))
                {
                    loaded += data.Points.Count;
                    if (loaded > _options.MaxSamples) throw TooManySamples();
                    series.Add((data.Labels, data.Points as Point[] ?? data.Points.ToArray()));
                }
                prepared.Store(selector, series);
            }
            return await evaluate(new Evaluator(prepared, lookback, ct), ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new QueryException(QueryErrorType.Timeout, "query timed out in query execution");
        }
        catch (OperationCanceledException)
        {
            throw new QueryException(QueryErrorType.Canceled, "query was canceled");
        }
        catch (RegexMatchTimeoutException)
        {
            throw new QueryException(QueryErrorType.Execution, "a regular expression took too long to match");
        }
        catch (InsufficientExecutionStackException)
        {
            throw new QueryException(QueryErrorType.BadData, "the query is nested too deeply to evaluate");
        }
        catch (InvalidCastException e)
        {
            throw new QueryException(QueryErrorType.BadData, $"unexpected value type: {e.Message}");
        }
    }

    private sealed class LabelsComparer : IComparer<Labels>
    {
        public static readonly LabelsComparer Instance = new();

        public int Compare(Labels? x, Labels? y) => Labels.Compare(x!, y!);
    }
}

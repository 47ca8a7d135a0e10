using System.Globalization;
using HdrHistogram;
using HdrHistogram.Utilities;
using Newtonsoft.Json.Linq;

namespace Platform.Core.Streams.Engine;

/// <summary>What a window keeps per key for one result field.</summary>
public enum AggregationKind
{
    /// <summary>Records in the window.</summary>
    Count,

    /// <summary>Sum of a number.</summary>
    Sum,

    /// <summary>Smallest number.</summary>
    Min,

    /// <summary>Largest number.</summary>
    Max,

    /// <summary>Mean of a number.</summary>
    Avg,

    /// <summary>Distinct values (HyperLogLog, about 1.6 % error).</summary>
    Distinct,

    /// <summary>A percentile of a non-negative number (HdrHistogram, 2 significant digits: within 1 %).</summary>
    Percentile,
}

/// <summary>One result field of a window: its name, what it keeps, of which expression.</summary>
/// <param name="Name">The field's name in the result.</param>
/// <param name="Kind">What it keeps.</param>
/// <param name="Of">The expression it keeps it of (none for a count).</param>
/// <param name="Quantile">For a percentile: which, 0 to 1.</param>
public sealed record Aggregation(string Name, AggregationKind Kind, JsonPath? Of, double Quantile = 0)
{
    /// <summary>A new, empty state.</summary>
    public AggregationState New() => Kind switch
    {
        AggregationKind.Count => new CountState(),
        AggregationKind.Distinct => new DistinctState(new HyperLogLog()),
        AggregationKind.Percentile => new PercentileState(NewHistogram(), Quantile),
        _ => new NumberState(Kind),
    };

    /// <summary>A state saved by <see cref="AggregationState.Save"/>.</summary>
    public AggregationState Load(JToken saved) => Kind switch
    {
        AggregationKind.Count => new CountState { Count = saved.Value<long>() },
        AggregationKind.Distinct => new DistinctState(HyperLogLog.FromBytes(Convert.FromBase64String(saved.Value<string>()!))),
        AggregationKind.Percentile => new PercentileState(LoadHistogram(saved.Value<string>()!), Quantile),
        _ => NumberState.Load(Kind, (JObject)saved),
    };

    /// <summary>Adds one record's value.</summary>
    public void Add(AggregationState state, JToken? value)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.Add(Of is null ? null : Of.Evaluate(value));
    }

    internal static LongHistogram NewHistogram() => new(1, 1_000_000_000_000_000, 2);

    private static LongHistogram LoadHistogram(string base64) =>
        (LongHistogram)HistogramEncoding.DecodeFromCompressedByteBuffer(ByteBuffer.Allocate(Convert.FromBase64String(base64)), 0);
}

/// <summary>The running state of one result field of one window and key.</summary>
public abstract class AggregationState
{
    /// <summary>Adds a value (the field's expression over a record; null for a count).</summary>
    public abstract void Add(JToken? value);

    /// <summary>The field's value now.</summary>
    public abstract JToken Result();

    /// <summary>The state, to keep in the job's state table.</summary>
    public abstract JToken Save();

    /// <summary>Takes in another state of the same field (two session windows that a record joined into one).</summary>
    public abstract void Merge(AggregationState other);

    /// <summary>A number out of a JSON value: numbers, and text that reads as one; anything else is skipped.</summary>
    protected static double? Number(JToken? value) => value switch
    {
        JValue { Type: JTokenType.Integer or JTokenType.Float } n => n.Value<double>(),
        JValue { Type: JTokenType.String } s when double.TryParse(s.Value<string>(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d) => d,
        _ => null,
    };
}

internal sealed class CountState : AggregationState
{
    public long Count { get; set; }

    public override void Add(JToken? value) => Count++;

    public override JToken Result() => new JValue(Count);

    public override JToken Save() => new JValue(Count);

    public override void Merge(AggregationState other) => Count += ((CountState)other).Count;
}

internal sealed class NumberState(AggregationKind kind) : AggregationState
{
    private double _sum;
    private long _count;
    private double? _min;
    private double? _max;

    public static NumberState Load(AggregationKind kind, JObject saved) => new(kind)
    {
        _sum = saved.Value<double>("s"),
        _count = saved.Value<long>("n"),
        _min = saved.Value<double?>("lo"),
        _max = saved.Value<double?>("hi"),
    };

    public override void Add(JToken? value)
    {
        if (Number(value) is not { } d || double.IsNaN(d)) return;
        _sum += d;
        _count++;
        _min = _min is { } lo ? Math.Min(lo, d) : d;
        _max = _max is { } hi ? Math.Max(hi, d) : d;
    }

    public override JToken Result() => kind switch
    {
        AggregationKind.Sum => new JValue(_sum),
        AggregationKind.Min => _min is { } lo ? new JValue(lo) : JValue.CreateNull(),
        AggregationKind.Max => _max is { } hi ? new JValue(hi) : JValue.CreateNull(),
        _ => _count > 0 ? new JValue(_sum / _count) : JValue.CreateNull(),
    };

    public override JToken Save() => new JObject { ["s"] = _sum, ["n"] = _count, ["lo"] = _min, ["hi"] = _max };

    public override void Merge(AggregationState other)
    {
        var o = (NumberState)other;
        _sum += o._sum;
        _count += o._count;
        if (o._min is { } lo) _min = _min is { } mine ? Math.Min(mine, lo) : lo;
        if (o._max is { } hi) _max = _max is { } mine2 ? Math.Max(mine2, hi) : hi;
    }
}

internal sealed class DistinctState(HyperLogLog sketch) : AggregationState
{
    public override void Add(JToken? value)
    {
        if (value is null) return;
        sketch.Add(System.Text.Encoding.UTF8.GetBytes(value.ToString(Newtonsoft.Json.Formatting.None)));
    }

    public override JToken Result() => new JValue(sketch.Estimate());

    public override JToken Save() => new JValue(Convert.ToBase64String(sketch.ToBytes()));

    public override void Merge(AggregationState other) => sketch.Merge(((DistinctState)other).Sketch);

    public HyperLogLog Sketch => sketch;
}

internal sealed class PercentileState(LongHistogram histogram, double quantile) : AggregationState
{
    public override void Merge(AggregationState other) => histogram.Add(((PercentileState)other).Histogram);

    public LongHistogram Histogram => histogram;

    private const double Scale = 1000; // three decimals kept

    public override void Add(JToken? value)
    {
        if (Number(value) is not { } d || d < 0 || double.IsNaN(d) || d * Scale > 1e15) return;
        histogram.RecordValue(Math.Max(1, (long)Math.Round(d * Scale)));
    }

    public override JToken Result() => histogram.TotalCount == 0 ? JValue.CreateNull() : new JValue(histogram.GetValueAtPercentile(quantile * 100) / Scale);

    public override JToken Save()
    {
        var buffer = ByteBuffer.Allocate(histogram.GetEstimatedFootprintInBytes() + 64);
        int length = HistogramEncoding.EncodeIntoCompressedByteBuffer(histogram, buffer);
        byte[] bytes = new byte[length];
        buffer.Position = 0;
        for (int i = 0; i < length; i++) bytes[i] = buffer.Get();
        return new JValue(Convert.ToBase64String(bytes));
    }
}


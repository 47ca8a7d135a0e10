using Platform.Promql.Series;

namespace Platform.Core.Metrics.Conversion;

/// <summary>
/// One Prometheus sample made from OTLP input.
/// </summary>
/// <param name="Series">The series.</param>
/// <param name="T">Time, Unix ms.</param>
/// <param name="Value">The value, or the increment when <paramref name="Kind"/> is <see cref="SampleKind.Delta"/>.</param>
/// <param name="Kind">Absolute or delta.</param>
/// <param name="StartT">The OTLP start time (Unix ms) of a cumulative counter point, 0 when none: a newer start means the counter restarted.</param>
/// <param name="Offset">The log offset of the record it came from (deltas are applied once per offset).</param>
/// <param name="ArrivedAt">When its record was appended (Unix ms), 0 when unknown: the late/future window is judged
/// against it, so a replay decides exactly as the first attempt did.</param>
public readonly record struct ConvertedSample(Labels Series, long T, double Value, SampleKind Kind, long StartT, long Offset, long ArrivedAt = 0);

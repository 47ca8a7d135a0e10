using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Platform.Core.Alerting.Evaluation;

/// <summary>
/// What a group remembers between evaluations: when it last ran, each rule's health and alerts, and the outbox —
/// history records and alerts decided but not yet delivered, kept until delivery succeeds (at least once).
/// </summary>
public sealed record GroupState(long LastEvaluation, double EvaluationSeconds, IReadOnlyDictionary<string, RuleState> Rules, Outbox? Outbox = null)
{
    /// <summary>A group never evaluated.</summary>
    public static readonly GroupState Empty = new(0, 0, new Dictionary<string, RuleState>());

    private static readonly JsonSerializerOptions Json = new()
    {
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The state as gzip'd JSON (what the table keeps).</summary>
    public byte[] ToBytes()
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true)) JsonSerializer.Serialize(gzip, this, Json);
        return buffer.ToArray();
    }

    /// <summary>Reads what <see cref="ToBytes"/> wrote.</summary>
    public static GroupState FromBytes(byte[] data)
    {
        using var gzip = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
        return JsonSerializer.Deserialize<GroupState>(gzip, Json) ?? Empty;
    }
}

/// <summary>
/// One rule's health ("ok", "err", "unknown"), last error, last evaluation (Unix ms), duration, alerts by fingerprint,
/// and the series it wrote last (so the ones that disappear get a staleness marker).
/// </summary>
public sealed record RuleState(string Health, string? LastError, long LastEvaluation, double EvaluationSeconds, IReadOnlyDictionary<string, ActiveAlert> Alerts,
    IReadOnlyList<IReadOnlyDictionary<string, string>>? Series = null);

/// <summary>
/// Decided, not yet delivered: state changes for the alerts topic (by slot) and alerts for Alertmanager (by rule
/// expression), with the time until which one instance has claimed delivering them (Unix ms), so two instances do
/// not both deliver; a claim that outlives its instance expires and another delivers.
/// </summary>
public sealed record Outbox(IReadOnlyList<OutboxChanges> Changes, IReadOnlyList<OutboxSend> Sends, long ClaimedUntil = 0)
{
    /// <summary>True when nothing waits.</summary>
    public bool IsEmpty => Changes.Count == 0 && Sends.Count == 0;
}

/// <summary>The state changes of one slot.</summary>
public sealed record OutboxChanges(long Slot, IReadOnlyList<AlertChange> Changes);

/// <summary>Alerts of one rule to send.</summary>
public sealed record OutboxSend(string Expr, IReadOnlyList<ActiveAlert> Alerts);

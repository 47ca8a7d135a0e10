using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Platform.Core.Alerting.Evaluation;

/// <summary>What a group remembers between evaluations: when it last ran, and each rule's health and alerts.</summary>
public sealed record GroupState(long LastEvaluation, double EvaluationSeconds, IReadOnlyDictionary<string, RuleState> Rules)
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

/// <summary>One rule's health ("ok", "err", "unknown"), last error, last evaluation (Unix ms), duration, and alerts by fingerprint.</summary>
public sealed record RuleState(string Health, string? LastError, long LastEvaluation, double EvaluationSeconds, IReadOnlyDictionary<string, ActiveAlert> Alerts);

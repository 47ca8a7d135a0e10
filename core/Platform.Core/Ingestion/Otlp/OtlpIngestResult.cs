namespace Platform.Core.Ingestion.Otlp;

/// <summary>How much of an export was appended (durably) and how much was refused, and why.</summary>
public sealed record OtlpIngestResult(long Accepted, long Rejected, string? ErrorMessage);

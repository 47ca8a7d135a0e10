namespace Platform.Core.Consumers;

/// <summary>How a fetched batch ended in the handler.</summary>
internal enum HandleStatus
{
    /// <summary>Every record handled or dead-lettered: the offset may be committed.</summary>
    Done,

    /// <summary>Retriable failures outlasted the attempts of a job that must not dead-letter them: stop, do not commit.</summary>
    Paused,
}

/// <summary>The outcome of handling one batch, as a value (no exception for control flow).</summary>
internal readonly record struct HandleOutcome(HandleStatus Status, int Handled, int DeadLettered, string? PauseReason = null);

namespace Platform.Core.Consumers;

/// <summary>Retriable failures outlasted the attempts of a job that must not dead-letter them: stop, do not commit.</summary>
internal sealed class RetryLaterException(string message) : Exception(message);

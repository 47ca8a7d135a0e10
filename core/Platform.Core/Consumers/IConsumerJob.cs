namespace Platform.Core.Consumers;

/// <summary>
/// A job whose options decide whether it runs (the Elasticsearch router runs when its URL is set), so that
/// registration never reads configuration: the registry asks each job when it is first needed.
/// </summary>
public interface IConsumerJob
{
    /// <summary>The job's subscription, or null when it is turned off.</summary>
    ConsumerRegistration? Registration { get; }
}

using Platform.Core.Log;

namespace Platform.Core.Consumers;

/// <summary>Told after every durable append; must not block the append path.</summary>
public interface IAppendListener
{
    /// <summary>Records were appended to <paramref name="partition"/>.</summary>
    void OnAppended(TopicPartition partition);
}

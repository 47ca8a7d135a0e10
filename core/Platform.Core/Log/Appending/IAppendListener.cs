
namespace Platform.Core.Log.Appending;

/// <summary>Told after every durable append; must not block the append path.</summary>
public interface IAppendListener
{
    /// <summary>Records were appended to <paramref name="partition"/>.</summary>
    void OnAppended(TopicPartition partition);
}

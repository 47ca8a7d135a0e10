using System.Text;
using Platform.Core.Log.Partitioning;

namespace Platform.Core.Log.Topics;

/// <summary>
/// Which storage account holds the segments of each partition of a new topic, when the platform has more than one
/// (one account's request and bandwidth targets cap a whole deployment). Assigned once, at creation, recorded in the
/// topic's config and never changed: a partition's segments never move.
/// </summary>
public sealed class TopicPlacement(IEnumerable<string> extraAccounts)
{
    /// <summary>The label of the platform's main account (the one holding the tables too).</summary>
    public const string Primary = "";

    private readonly string[] _accounts = [Primary, .. extraAccounts.Order(StringComparer.Ordinal)];

    /// <summary>Every account label, the main one first.</summary>
    public IReadOnlyList<string> Accounts => _accounts;

    /// <summary>The account of each partition (spread in turn from a start the topic's name picks); null with one account.</summary>
    public IReadOnlyList<string>? Assign(string topic, int partitions)
    {
        ArgumentNullException.ThrowIfNull(topic);
        if (_accounts.Length == 1)
        {
            return null;
        }

        int start = Murmur2.Partition(Encoding.UTF8.GetBytes(topic), _accounts.Length);
        return [.. Enumerable.Range(0, partitions).Select(p => _accounts[(start + p) % _accounts.Length])];
    }
}

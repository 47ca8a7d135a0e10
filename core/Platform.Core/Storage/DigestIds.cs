using System.Globalization;

namespace Platform.Core.Storage;

/// <summary>A digest's notification id: from its recipient, key and opening time, so its outcomes are queryable like any notification's.</summary>
public static class DigestIds
{
    /// <summary>Most messages in one digest: the next one opens another digest (a storm becomes several mails, not one that cannot be rendered or sent).</summary>
    public const int MaxEntries = 500;

    /// <summary>The id of the digest for (channel, recipient, key) opened at <paramref name="openedAt"/> (milliseconds).</summary>
    public static string New(string channel, string recipient, string digestKey, long openedAt) =>
        "digest-" + StorageNames.HashedKey(string.Join('\n', channel, recipient, digestKey, openedAt.ToString(CultureInfo.InvariantCulture)))[..24];
}

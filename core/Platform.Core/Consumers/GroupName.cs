namespace Platform.Core.Consumers;

/// <summary>Rules for consumer group names: they become table keys (PartitionKey of offsets, part of the ownership key).</summary>
public static class GroupName
{
    /// <summary>Longest group name.</summary>
    public const int MaxLength = 200;

    /// <summary>Null when <paramref name="name"/> is a valid group name, otherwise why it is not.</summary>
    public static string? Validate(string? name) =>
        string.IsNullOrEmpty(name) ? "A consumer group name is required."
        : name.Length > MaxLength ? $"Consumer group name is longer than {MaxLength} characters."
        : name.StartsWith('$') ? $"Consumer group name '{name}' starts with '$', which the platform keeps for its own groups (writer leases)."
        : name.Any(c => char.IsControl(c) || c is '/' or '\\' or '#' or '?' or ':')
            ? $"Consumer group name '{name}' may not contain '/', '\\', '#', '?', ':' or control characters (storage keys refuse them)."
            : null;
}

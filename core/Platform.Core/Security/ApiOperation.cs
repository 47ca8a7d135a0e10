namespace Platform.Core.Security;

/// <summary>What a key may do on the topics its grant names.</summary>
[Flags]
public enum ApiOperation
{
    /// <summary>Nothing.</summary>
    None = 0,

    /// <summary>Append records (HTTP records API, OTLP receivers).</summary>
    Produce = 1,

    /// <summary>Read records and offsets.</summary>
    Consume = 2,

    /// <summary>Create and describe topics, manage keys and consumer groups.</summary>
    Admin = 4,

    /// <summary>Everything.</summary>
    All = Produce | Consume | Admin,
}

namespace Platform.Core.Security;

/// <summary>Authentication settings, bound from <c>Platform:Auth</c>.</summary>
public sealed class AuthOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Platform:Auth";

    /// <summary>
    /// A key with every permission, given at start-up (for scripts and CI), e.g. through
    /// <c>Platform__Auth__AdminKey</c>. At least 16 characters. Optional.
    /// </summary>
    public string? AdminKey { get; set; }
}

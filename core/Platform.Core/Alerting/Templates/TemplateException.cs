namespace Platform.Core.Alerting.Templates;

/// <summary>A template that does not parse, or fails while rendering.</summary>
public sealed class TemplateException : Exception
{
    /// <summary>Creates the error.</summary>
    public TemplateException(string message) : base(message) { }

    /// <summary>Creates the error.</summary>
    public TemplateException() { }

    /// <summary>Creates the error.</summary>
    public TemplateException(string message, Exception innerException) : base(message, innerException) { }
}

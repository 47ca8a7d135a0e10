using System.Text.Encodings.Web;
using System.Text.Json;
using Fluid;

namespace Platform.Core.Consumers.Notifications;

/// <summary>A stored template: Liquid (Fluid) for the subject, the text and the HTML body.</summary>
public sealed record NotificationTemplate(string Name, string Subject, string? Text, string? Html);

/// <summary>
/// Renders templates with Fluid (Liquid: a small, safe language with no code execution, and the most used .NET
/// implementation of it). The HTML body is HTML-escaped by default (<c>{{ name }}</c> of <c>&lt;b&gt;</c> is
/// <c>&amp;lt;b&amp;gt;</c>; <c>{{ x | raw }}</c> opts out); the subject and text are not.
/// </summary>
public static class NotificationTemplates
{
    private static readonly FluidParser Parser = new();

    /// <summary>Longest part (a table property holds 32,000 UTF-16 characters).</summary>
    public const int MaxPartChars = 30_000;

    /// <summary>True for a template name: 1 to 64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit.</summary>
    public static bool IsValidName(string? name) =>
        name is { Length: > 0 and <= 64 } && (char.IsAsciiLetterLower(name[0]) || char.IsAsciiDigit(name[0]))
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '_' or '-');

    /// <summary>Why a template does not parse, naming the part, or null when all parts do.</summary>
    public static string? Check(NotificationTemplate template)
    {
        ArgumentNullException.ThrowIfNull(template);
        foreach (var (part, text) in new[] { ("subject", template.Subject), ("text", template.Text), ("html", template.Html) })
        {
            if (text is not null && !Parser.TryParse(text, out _, out var error)) return $"{part}: {error}";
        }
        if (new[] { template.Subject, template.Text, template.Html }.Any(p => p is { Length: > MaxPartChars })) return $"each part may be at most {MaxPartChars} characters";
        return template.Text is null && template.Html is null ? "a template needs a text or an html part" : null;
    }

    /// <summary>Renders a template with the message's data.</summary>
    public static RenderedNotification Render(NotificationTemplate template, JsonElement? data)
    {
        ArgumentNullException.ThrowIfNull(template);
        // Bounded: a loop over a range the data controls must not run forever.
        var options = new TemplateOptions { MaxSteps = 100_000 };
        options.MemberAccessStrategy = new UnsafeMemberAccessStrategy();
        var context = new TemplateContext(options);
        if (data is { ValueKind: JsonValueKind.Object } d)
        {
            foreach (var property in d.EnumerateObject()) context.SetValue(property.Name, ToValue(property.Value));
        }
        string? Part(string? text, TextEncoder encoder) => text is null ? null : Parser.Parse(text).Render(context, encoder);
        return new RenderedNotification(Part(template.Subject, NullEncoder.Default)!.ReplaceLineEndings(" ").Trim(),
            Part(template.Text, NullEncoder.Default), Part(template.Html, HtmlEncoder.Default));
    }

    private static object? ToValue(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().ToDictionary(p => p.Name, p => ToValue(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().Select(ToValue).ToList(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetDecimal(out var exact) ? exact : element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };
}

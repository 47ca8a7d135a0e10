using System.Text.Json;

namespace Platform.Core.Consumers.Notifications;

/// <summary>
/// Renders a digest: the configured digest template (or a built-in list) with data <c>digestKey</c>, <c>count</c> and
/// <c>messages</c> (each with <c>id</c>, <c>subject</c>, <c>text</c>, <c>html</c> and <c>data</c>), in the order they joined.
/// </summary>
public static class DigestRenderer
{
    /// <summary>The template used when no template of the configured name exists.</summary>
    public static readonly NotificationTemplate BuiltIn = new("digest",
        "{{ count }} notifications: {{ messages.first.subject }}{% if count > 1 %} and {{ count | minus: 1 }} more{% endif %}",
        "{% for m in messages %}- {{ m.subject }}\n{% if m.text %}{{ m.text }}\n{% endif %}\n{% endfor %}",
        "<ul>{% for m in messages %}<li><strong>{{ m.subject }}</strong>{% if m.html %}<div>{{ m.html | raw }}</div>{% elsif m.text %}<p>{{ m.text }}</p>{% endif %}</li>{% endfor %}</ul>");

    /// <summary>The digest's data, for the template and for webhook bodies.</summary>
    public static JsonElement Data(string digestKey, IReadOnlyList<DigestContent> messages) =>
        JsonSerializer.SerializeToElement(new { digestKey, count = messages.Count, messages });

    /// <summary>Renders the digest with <paramref name="template"/>, or the built-in one when it is null.</summary>
    public static RenderedNotification Render(NotificationTemplate? template, JsonElement data) => NotificationTemplates.Render(template ?? BuiltIn, data);
}

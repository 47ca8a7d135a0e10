using System.Text;
using System.Text.RegularExpressions;

namespace Platform.Promql.Engine;

/// <summary>
/// Go's <c>Regexp.Expand</c>: <c>$1</c>, <c>${1}</c>, <c>$name</c>, <c>${name}</c>, <c>$$</c>. As in Go, <c>$1x</c> means the
/// group named "1x" (empty), not group 1 then "x"; an unknown group expands to "".
/// </summary>
internal static class GoTemplate
{
    public static string Expand(string template, Regex regex, Match match)
    {
        var text = new StringBuilder();
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if (c != '$' || i + 1 >= template.Length)
            {
                text.Append(c);
                continue;
            }
            if (template[i + 1] == '$')
            {
                text.Append('$');
                i++;
                continue;
            }
            string name;
            var braced = template[i + 1] == '{';
            var start = braced ? i + 2 : i + 1;
            var end = start;
            while (end < template.Length && (char.IsAsciiLetterOrDigit(template[end]) || template[end] == '_')) end++;
            if (end == start || (braced && (end >= template.Length || template[end] != '}')))
            {
                // Not a valid reference: Go copies the '$' literally.
                text.Append(c);
                continue;
            }
            name = template[start..end];
            i = braced ? end : end - 1;
            text.Append(GroupValue(regex, match, name));
        }
        return text.ToString();
    }

    private static string GroupValue(Regex regex, Match match, string name)
    {
        if (name.All(char.IsAsciiDigit))
        {
            if (!int.TryParse(name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)
                || number >= regex.GetGroupNumbers().Length) return "";
            var group = match.Groups[number];
            return group.Success ? group.Value : "";
        }
        var named = match.Groups[name];
        return named.Success && regex.GroupNumberFromName(name) >= 0 ? named.Value : "";
    }
}

using System.Text;
using System.Text.Json.Nodes;

namespace Platform.Tests.Corpus;

/// <summary>
/// Derives bad JSON bodies from a valid one: at each named field, values of kinds the field never takes; and, for the
/// whole body, truncation at every length class, invalid UTF-8, duplicated keys, deep nesting, wrong roots, empty.
/// </summary>
public static class JsonMutations
{
    /// <summary>Values of every JSON kind and some hostile numbers, by name.</summary>
    public static readonly Dictionary<string, JsonNode?> Kinds = new()
    {
        ["null"] = null,
        ["string"] = "x",
        ["empty string"] = string.Empty,
        ["number"] = 5,
        ["negative"] = -1,
        ["fraction"] = 1.5,
        ["huge"] = JsonNode.Parse("99999999999999999999999"),
        ["overflow double"] = JsonNode.Parse("1e400"),
        ["true"] = true,
        ["object"] = new JsonObject(),
        ["array"] = new JsonArray(),
        ["array of numbers"] = new JsonArray(1, 2),
    };

    /// <summary>
    /// Each field at <paramref name="paths"/> (dotted, with [i] for array items) set to each kind it must refuse.
    /// </summary>
    public static IEnumerable<(string Name, byte[] Body)> WrongKinds(string seed, IReadOnlyDictionary<string, string[]> paths)
    {
        foreach ((string path, string[] refused) in paths)
        {
            foreach (string kind in refused)
            {
                JsonNode root = JsonNode.Parse(seed)!;
                Set(root, path, Kinds[kind]?.DeepClone());
                yield return ($"{path} = {kind}", Encoding.UTF8.GetBytes(root.ToJsonString()));
            }
        }
    }

    /// <summary>Whole-body damage every JSON route must refuse.</summary>
    public static IEnumerable<(string Class, string Name, byte[] Body)> Structural(string seed, string duplicatedField)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(seed);
        foreach (int length in LengthClasses(bytes.Length))
        {
            yield return ("truncation", $"first {length} of {bytes.Length} bytes", bytes[..length]);
        }

        yield return ("empty", "no body", []);
        yield return ("empty", "whitespace only", " \n "u8.ToArray());
        yield return ("not json", "xml", "<records><value>x</value></records>"u8.ToArray());
        yield return ("not json", "bare word", "records"u8.ToArray());
        yield return ("wrong root", "a number", "42"u8.ToArray());
        yield return ("wrong root", "a string", "\"x\""u8.ToArray());
        yield return ("wrong root", "null", "null"u8.ToArray());
        yield return ("wrong root", "trailing garbage", [.. bytes, .. "}}"u8.ToArray()]);
        yield return ("wrong root", "two documents", [.. bytes, .. bytes]);
        int quote = seed.IndexOf("\":\"", StringComparison.Ordinal) + 3;
        foreach ((string name, byte[] invalid) in InvalidUtf8)
        {
            yield return ("invalid UTF-8", $"{name} inside the first string", [.. bytes[..quote], .. invalid, .. bytes[quote..]]);
        }

        yield return ("invalid UTF-8", "a UTF-16 byte order mark", [0xFF, 0xFE, .. bytes]);
        string field = $"\"{duplicatedField}\":";
        int at = seed.IndexOf(field, StringComparison.Ordinal);
        int end = ValueEnd(seed, at + field.Length);
        string duplicate = seed[at..end];
        yield return ("duplicated key", $"{duplicatedField} twice", Encoding.UTF8.GetBytes(seed[..end] + "," + duplicate + seed[end..]));
        yield return ("deep nesting", "1,000 arrays at the root", Encoding.UTF8.GetBytes(new string('[', 1000) + new string(']', 1000)));
        yield return ("deep nesting", "1,000 arrays in the first field", Encoding.UTF8.GetBytes(seed[..quote].TrimEnd('"') + new string('[', 1000) + new string(']', 1000) + seed[ValueEnd(seed, quote - 1)..]));
    }

    /// <summary>Lengths of every class: a byte, a quarter, half, three quarters, all but one.</summary>
    public static IEnumerable<int> LengthClasses(int length) =>
        new[] { 1, 2, length / 4, length / 2, (length * 3) / 4, length - 1 }.Where(l => l > 0 && l < length).Distinct();

    /// <summary>Byte sequences no UTF-8 text holds.</summary>
    public static readonly (string Name, byte[] Bytes)[] InvalidUtf8 =
    [
        ("0xFF", [0xFF]),
        ("a lone continuation byte", [0x80]),
        ("a truncated two-byte sequence", [0xC3]),
        ("an overlong slash", [0xC0, 0xAF]),
        ("a UTF-16 surrogate", [0xED, 0xA0, 0x80]),
    ];

    private static void Set(JsonNode root, string path, JsonNode? value)
    {
        JsonNode node = root;
        string[] parts = path.Split('.');
        for (int i = 0; i < parts.Length; i++)
        {
            (string name, int? index) = Part(parts[i]);
            bool last = i == parts.Length - 1;
            if (index is { } n)
            {
                JsonArray array = node[name]!.AsArray();
                if (last)
                {
                    array[n] = value;
                    return;
                }

                node = array[n]!;
            }
            else if (last)
            {
                node.AsObject()[name] = value;
            }
            else
            {
                node = node[name]!;
            }
        }
    }

    private static (string Name, int? Index) Part(string part) =>
        part.EndsWith(']') ? (part[..part.IndexOf('[', StringComparison.Ordinal)], int.Parse(part[(part.IndexOf('[', StringComparison.Ordinal) + 1)..^1], System.Globalization.CultureInfo.InvariantCulture)) : (part, null);

    // The end of the JSON value that starts at or after `start` (strings, numbers, literals, or a bracketed value).
    private static int ValueEnd(string json, int start)
    {
        int depth = 0;
        bool inString = false;
        for (int i = start; i < json.Length; i++)
        {
            char c = json[i];
            if (inString)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inString = false;
                    if (depth == 0)
                    {
                        return i + 1;
                    }
                }

                continue;
            }

            switch (c)
            {
                case '"':
                    inString = true;
                    break;
                case '{' or '[':
                    depth++;
                    break;
                case '}' or ']':
                    if (depth == 0)
                    {
                        return i;
                    }

                    if (--depth == 0)
                    {
                        return i + 1;
                    }

                    break;
                case ',' when depth == 0:
                    return i;
            }
        }

        return json.Length;
    }
}

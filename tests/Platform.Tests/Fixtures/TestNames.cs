using System.Runtime.CompilerServices;

namespace Platform.Tests.Fixtures;

/// <summary>Unique, valid storage names per test: the test's name plus a short id.</summary>
public static class TestNames
{
    public static string Container(string testName) => Clean(testName, '-', 50) + "-" + ShortId();

    public static string Table(string testName) => "t" + Clean(testName, null, 40) + ShortId();

    /// <summary>A table prefix (at most 40 characters) unique to the test.</summary>
    public static string TablePrefix(string testName) => "t" + Clean(testName, null, 23) + ShortId();

    public static string Topic([CallerMemberName] string testName = "") => Clean(testName, '-', 60) + "-" + ShortId();

    private static string ShortId() => Guid.NewGuid().ToString("N")[..8];

    private static string Clean(string name, char? separator, int max)
    {
        var chars = name.ToLowerInvariant().Where(c => char.IsAsciiLetterOrDigit(c) || (separator is not null && c == separator)).ToArray();
        string s = new string(chars).Trim('-');
        s = s.Length > max ? s[..max] : s;
        return s.Length == 0 ? "x" : s;
    }
}

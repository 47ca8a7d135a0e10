using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Infra;

/// <summary>
/// The Bicep stack, offline: every template and parameter file builds and lints without a single warning (the Bicep
/// CLI from NuGet checks resource types and properties against its built-in definitions), the app settings cover every
/// binding and required option, and the role assignments cover every storage service the code calls.
/// </summary>
public sealed partial class BicepTests
{
    private static readonly string Infra = Path.Combine(Golden.RepositoryRoot(), "infra");

    private static string Bicep()
    {
        string package = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "bicep-path.txt")).Trim();
        string path = Path.Combine(package, "tools", "bicep");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserExecute);
        }

        return path;
    }

    private static (int Exit, string Output, string Errors) Run(params string[] args)
    {
        var start = new ProcessStartInfo(Bicep()) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Infra };
        foreach (string a in args) start.ArgumentList.Add(a);
        start.Environment["PLATFORM_ADMIN_KEY"] = "not-a-real-key-but-long-enough";
        using var process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        string errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Result, errors);
    }

    public static TheoryData<string> Files() => [.. Directory.GetFiles(Infra, "*.bicep*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Infra, f)).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_file_builds_and_lints_without_a_warning(string file)
    {
        var build = file.EndsWith(".bicepparam", StringComparison.Ordinal) ? Run("build-params", file, "--stdout") : Run("build", file, "--stdout");
        Assert.True(build.Exit == 0 && build.Errors.Length == 0, $"bicep build {file}: exit {build.Exit}\n{build.Errors}");
        var lint = Run("lint", file);
        Assert.True(lint.Exit == 0 && lint.Errors.Length == 0 && lint.Output.Trim().Length == 0, $"bicep lint {file}: exit {lint.Exit}\n{lint.Output}{lint.Errors}");
    }

    [Fact]
    public void The_app_settings_cover_every_binding_and_required_setting_with_no_connection_string_or_key()
    {
        string template = Run("build", "main.bicep", "--stdout").Output;
        var set = new HashSet<string>(SettingName().Matches(template).Select(m => m.Value), StringComparer.OrdinalIgnoreCase);

        // The required rows of docs/configuration.md's "App settings on Azure" (which FunctionsMetadataTests ties to
        // every binding of functions.metadata).
        string doc = File.ReadAllText(Path.Combine(Golden.RepositoryRoot(), "docs", "configuration.md"));
        string table = doc[doc.IndexOf("## App settings on Azure", StringComparison.Ordinal)..];
        table = table[..table.IndexOf("\n## ", 3, StringComparison.Ordinal)];
        var required = RequiredRow().Matches(table).Select(m => m.Groups[1].Value).ToList();
        Assert.Contains("Platform__Consumers__WakeupQueue", required);
        var missing = required.Where(r => r switch
        {
            "AzureWebJobsStorage" => !set.Contains("AzureWebJobsStorage__accountName"), // identity-based, as Flex sets up
            "FUNCTIONS_WORKER_RUNTIME" => !template.Contains("dotnet-isolated", StringComparison.Ordinal), // Flex: functionAppConfig.runtime
            _ => !set.Contains(r),
        }).ToList();
        Assert.True(missing.Count == 0, "Not set by the template: " + string.Join(", ", missing));

        // Identity everywhere: no connection string and no account key in app settings.
        Assert.DoesNotContain("Platform__Storage__ConnectionString", set);
        Assert.DoesNotContain("listKeys", template, StringComparison.Ordinal);
        Assert.Contains("AzureWebJobsStorage__credential", set);
        Assert.Contains("Platform__Storage__ManagedIdentityClientId", set);
        Assert.Contains("@Microsoft.KeyVault(SecretUri=", template, StringComparison.Ordinal);
    }

    [Fact]
    public void The_identity_has_a_role_on_every_storage_service_the_code_calls_and_nothing_broader()
    {
        using JsonDocument template = JsonDocument.Parse(Run("build", "main.bicep", "--stdout").Output);
        JsonElement variables = template.RootElement.GetProperty("variables");
        Dictionary<string, string[]> roles = template.RootElement.GetProperty("resources").EnumerateArray()
            .Where(r => r.GetProperty("name").GetString()!.EndsWith("Roles", StringComparison.Ordinal))
            .ToDictionary(r => r.GetProperty("name").GetString()!, r => r.GetProperty("properties").GetProperty("parameters").GetProperty("roleIds").GetProperty("value").EnumerateArray()
                .Select(v => VariableReference().Match(v.GetString()!) is { Success: true } m ? variables.GetProperty(m.Groups[1].Value).GetString()! : v.GetString()!).ToArray());

        const string blobOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b", blobContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
        const string queueContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88", tableContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
        // Data account: segments (blobs: read, append, create, delete, block uploads of compaction) and every table.
        Assert.Equal(new[] { blobContributor, tableContributor }.Order(StringComparer.Ordinal), roles["dataRoles"].Order(StringComparer.Ordinal));
        // Host account: the Functions host's own blobs (leases, timers, deployment packages) and the wake-up queue
        // (created at start, sent to by producers, read by the queue trigger).
        Assert.Equal(new[] { queueContributor, blobOwner }.Order(StringComparer.Ordinal), roles["hostRoles"].Order(StringComparer.Ordinal));
        // No control-plane role (Owner, Contributor, Storage Account Contributor) anywhere.
        string text = template.RootElement.GetRawText();
        foreach (string broad in new[] { "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "b24988ac-6180-42a0-ab88-20f7382dd24c", "17d1049b-9a84-46fb-8f53-869881c3d3ab" })
        {
            Assert.DoesNotContain(broad, text, StringComparison.Ordinal);
        }
    }

    [GeneratedRegex(@"(?<![A-Za-z_])(Platform__[A-Za-z_]+|AzureWebJobsStorage__[A-Za-z]+|APPLICATIONINSIGHTS_CONNECTION_STRING)")]
    private static partial Regex SettingName();

    [GeneratedRegex(@"^\| `([A-Za-z_]+)` \| yes \|", RegexOptions.Multiline)]
    private static partial Regex RequiredRow();

    [GeneratedRegex(@"^\[variables\('([A-Za-z]+)'\)\]$")]
    private static partial Regex VariableReference();
}

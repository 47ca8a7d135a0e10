using System.Text.Json;
using Platform.Functions.Http;
using Platform.Local.Functions;

namespace Platform.Tests.Hosting;

/// <summary>Every function the Functions app declares (per the SDK-generated functions.metadata) is served by the local host.</summary>
public sealed class FunctionsMetadataTests
{
    [Fact]
    public void Every_declared_function_is_served_by_the_local_host_with_the_same_trigger_route_and_methods()
    {
        using JsonDocument metadata = JsonDocument.Parse(File.ReadAllText(FindMetadata()));
        var served = FunctionCatalog.Discover(typeof(HealthFunction).Assembly).ToDictionary(f => f.Name);
        var declared = metadata.RootElement.EnumerateArray().ToList();
        Assert.NotEmpty(declared);

        foreach (JsonElement function in declared)
        {
            string name = function.GetProperty("name").GetString()!;
            Assert.True(served.TryGetValue(name, out LocalFunction? local), $"functions.metadata declares {name}; the local host does not serve it");
            JsonElement trigger = function.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("direction").GetString() == "In" && b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));
            Assert.Equal(trigger.GetProperty("type").GetString(), local!.Trigger);
            if (local.Trigger == "httpTrigger")
            {
                Assert.Equal(trigger.GetProperty("route").GetString(), local.Route);
                Assert.Equal(trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!.ToLowerInvariant()).Order(), local.HttpMethods.Order());
            }
        }

        Assert.Equal(declared.Count, served.Count);
    }

    [Fact]
    public void Every_binding_resolves_with_exactly_the_app_settings_docs_configuration_lists()
    {
        // The names in the table "App settings on Azure" of docs/configuration.md, as the Functions host sees them.
        string doc = File.ReadAllText(Path.Combine(Platform.Tests.Fixtures.Golden.RepositoryRoot(), "docs", "configuration.md"));
        string table = doc[doc.IndexOf("## App settings on Azure", StringComparison.Ordinal)..];
        table = table[..table.IndexOf("\n## ", 3, StringComparison.Ordinal)];
        var documented = System.Text.RegularExpressions.Regex.Matches(table, @"^\| `([A-Za-z_]+)` \|", System.Text.RegularExpressions.RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value.Replace("__", ":", StringComparison.Ordinal)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        Assert.Contains("AzureWebJobsStorage", documented);

        using JsonDocument metadata = JsonDocument.Parse(File.ReadAllText(FindMetadata()));
        var missing = new List<string>();
        foreach (JsonElement function in metadata.RootElement.EnumerateArray())
        {
            string name = function.GetProperty("name").GetString()!;
            foreach (JsonElement binding in function.GetProperty("bindings").EnumerateArray())
            {
                foreach (JsonProperty property in binding.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String))
                {
                    string value = property.Value.GetString()!;
                    foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(value, "%([^%]+)%"))
                    {
                        if (!documented.Contains(m.Groups[1].Value))
                        {
                            missing.Add($"{name}.{property.Name} needs app setting '{m.Groups[1].Value}'");
                        }
                    }

                    if (property.Name.Equals("connection", StringComparison.OrdinalIgnoreCase) && !documented.Contains(value))
                    {
                        missing.Add($"{name} connects through '{value}'");
                    }
                }

                if (binding.GetProperty("type").GetString() == "queueTrigger" && !binding.TryGetProperty("connection", out _) && !documented.Contains("AzureWebJobsStorage"))
                {
                    missing.Add($"{name} connects through AzureWebJobsStorage");
                }
            }
        }

        Assert.True(missing.Count == 0, "Undocumented app settings:\n" + string.Join("\n", missing));
    }

    private static string FindMetadata()
    {
        // The tests build the Functions app (through the local host's reference); use the same configuration.
        string configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "functions", "Platform.Functions", "bin", configuration, "net10.0", "functions.metadata");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("functions.metadata was not generated: build functions/Platform.Functions.");
    }
}

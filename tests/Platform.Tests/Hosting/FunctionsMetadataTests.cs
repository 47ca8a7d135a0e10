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

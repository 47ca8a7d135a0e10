using System.Diagnostics;
using System.Text.Json;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Infra;

/// <summary>`dotnet publish` of the Functions app makes the package Flex Consumption deploys: metadata, host.json, worker config.</summary>
public sealed class PublishPackageTests
{
    [Fact]
    public async Task The_published_package_holds_functions_metadata_host_json_and_the_worker_config()
    {
        string output = Path.Combine(Path.GetTempPath(), "platform-publish-" + Guid.NewGuid().ToString("N")[..8]);
        string configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Golden.RepositoryRoot() };
        foreach (string a in new[] { "publish", "functions/Platform.Functions", "--no-build", "-c", configuration, "-o", output, "-nologo" }) start.ArgumentList.Add(a);
        try
        {
            using (var process = Process.Start(start)!)
            {
                Task<string> stdout = process.StandardOutput.ReadToEndAsync();
                string stderr = await process.StandardError.ReadToEndAsync();
                await process.WaitForExitAsync();
                Assert.True(process.ExitCode == 0, $"dotnet publish failed:\n{await stdout}\n{stderr}");
            }

            foreach (string file in new[] { "functions.metadata", "host.json", "worker.config.json", "Platform.Functions.dll" })
            {
                Assert.True(File.Exists(Path.Combine(output, file)), $"{file} is not in the package");
            }

            using JsonDocument worker = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "worker.config.json")));
            Assert.Equal("Platform.Functions.dll", worker.RootElement.GetProperty("description").GetProperty("defaultWorkerPath").GetString());
            using JsonDocument host = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "host.json")));
            Assert.Equal("2.0", host.RootElement.GetProperty("version").GetString());
            using JsonDocument metadata = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "functions.metadata")));
            var names = metadata.RootElement.EnumerateArray().Select(f => f.GetProperty("name").GetString()).ToHashSet();
            Assert.Superset(new HashSet<string?> { "ProduceRecords", "ConsumerWakeup", "CompactTopics", "MaintainKeyedViews", "EnforceRetention" }, names);
        }
        finally
        {
            if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        }
    }
}

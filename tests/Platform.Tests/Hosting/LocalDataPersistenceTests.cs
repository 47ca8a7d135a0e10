using System.Net.Http.Json;
using System.Text.Json;
using Platform.Benchmarks.Hosts;

namespace Platform.Tests.Hosting;

/// <summary>
/// The local host as a user runs it (no storage configured): it starts Azurite over its data folder, keeps the admin key
/// it printed, and after a stop and a start still has the topics, records, API keys and committed offsets; a second
/// host over the same folder is refused with a clear message; <c>--in-memory</c> keeps nothing.
/// </summary>
public sealed class LocalDataPersistenceTests
{
    private static bool IsGone(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }

    [Fact]
    public async Task Topics_records_keys_and_committed_offsets_survive_a_stop_and_a_start()
    {
        var folder = Path.Combine(Path.GetTempPath(), "platform-data-" + Guid.NewGuid().ToString("N")[..8]);
        var log = folder + ".log";
        (string, string)[] settings = [("Platform:Local:DataDirectory", folder)];
        try
        {
            var host = await LocalHostProcess.StartAsync(null, null, log, settings);
            string adminKey;
            string keyId;
            try
            {
                adminKey = (await File.ReadAllTextAsync(Path.Combine(folder, "admin-key"))).Trim();
                Assert.StartsWith("local-admin-", adminKey, StringComparison.Ordinal);
                if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(folder, "admin-key")));
                using var client = KeyedClient.Create(host.Functions, adminKey);
                (await client.PostAsJsonAsync("api/topics", new { name = "kept", partitions = 1 })).EnsureSuccessStatusCode();
                (await client.PostAsJsonAsync("api/topics/kept/records", new { records = new[] { new { value = "one" }, new { value = "two" }, new { value = "three" } } })).EnsureSuccessStatusCode();
                using var created = await client.PostAsJsonAsync("api/keys", new { name = "reader", grants = new[] { new { topics = "kept", operations = new[] { "consume" } } } });
                created.EnsureSuccessStatusCode();
                keyId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
                (await client.PostAsJsonAsync("api/groups/g1/topics/kept/reset", new { to = "offset", offset = 2 })).EnsureSuccessStatusCode();

                // A second local host over the same folder stops at once, saying why.
                var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => LocalHostProcess.StartAsync(null, null, log + ".second", settings));
                Assert.Contains("Another local host uses", await File.ReadAllTextAsync(log + ".second"), StringComparison.Ordinal);
                Assert.Contains("exited", refused.Message, StringComparison.Ordinal);
            }
            finally
            {
                await host.StopAsync();
                await host.DisposeAsync();
            }

            // A host killed outright leaves its Azurite running over the folder: the next host stops it before starting its own.
            var killed = await LocalHostProcess.StartAsync(null, null, log, settings);
            var orphanPid = int.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "azurite", "azurite.pid")), System.Globalization.CultureInfo.InvariantCulture);
            await killed.KillHostOnlyAsync();
            await killed.DisposeAsync();
            await using var again = await LocalHostProcess.StartAsync(null, null, log, settings);
            Assert.True(IsGone(orphanPid), $"the orphaned Azurite {orphanPid} still runs");
            using var after = KeyedClient.Create(again.Functions, adminKey);
            var records = await after.GetFromJsonAsync<JsonElement>("api/topics/kept/partitions/0/records?offset=0");
            Assert.Equal(["one", "two", "three"], records.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("value").GetString()));
            var keys = await after.GetFromJsonAsync<JsonElement>("api/keys");
            Assert.Contains(keys.GetProperty("keys").EnumerateArray(), k => k.GetProperty("id").GetString() == keyId);
            var group = await after.GetFromJsonAsync<JsonElement>("api/groups/g1/topics/kept");
            Assert.Equal(2, group.GetProperty("partitions")[0].GetProperty("committedOffset").GetInt64());
            await again.StopAsync();
        }
        finally
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}

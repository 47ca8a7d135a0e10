using System.Globalization;
using Platform.Tests.Fixtures;
using Xunit.Abstractions;

namespace Platform.Tests.Model;

/// <summary>
/// Randomized, model-checked schedules of writers, readers, consumers and faults (see <see cref="LogSchedule"/> and
/// <see cref="ConsumerSchedule"/>). CI runs a budget of them; a soak runs more:
/// <c>PLATFORM_MODEL_SCHEDULES=20000 PLATFORM_MODEL_CONSUMER_SCHEDULES=200 dotnet test --filter FullyQualifiedName~ModelBasedTests</c>.
/// A failing schedule prints its seed, shrunk to the fewest steps that still fail; <c>PLATFORM_MODEL_SEED=…</c> (and
/// <c>PLATFORM_MODEL_STEPS=…</c>) runs that one schedule again.
/// </summary>
public sealed class ModelBasedTests(ITestOutputHelper output)
{
    internal static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : fallback;

    internal static IEnumerable<int> Seeds(int count, int salt)
    {
        int? only = Environment.GetEnvironmentVariable("PLATFORM_MODEL_SEED") is { Length: > 0 } s ? int.Parse(s, CultureInfo.InvariantCulture) : null;
        int start = Setting("PLATFORM_MODEL_FIRST_SEED", salt);
        return only is { } one ? [one] : Enumerable.Range(start, count);
    }

    [Fact]
    public async Task The_log_keeps_every_promise_over_randomized_schedules_in_memory()
    {
        int schedules = Setting("PLATFORM_MODEL_SCHEDULES", 600);
        int steps = Setting("PLATFORM_MODEL_STEPS", 40);
        await RunManyAsync(Seeds(schedules, 1), seed => new LogSchedule(seed, steps).RunAsync(), (seed, n) => new LogSchedule(seed, n).RunAsync(), steps, parallel: 6);
    }

    [Fact]
    public async Task Consumers_never_overlap_or_skip_over_randomized_schedules()
    {
        int schedules = Setting("PLATFORM_MODEL_CONSUMER_SCHEDULES", 8);
        int crashesBefore = ConsumerSchedule.Crashes;
        await RunManyAsync(Seeds(schedules, 500_001), seed => new ConsumerSchedule(seed).RunAsync(), null, 0, parallel: 4);
        output.WriteLine($"{ConsumerSchedule.Crashes - crashesBefore} instances died between handling and commit");
    }

    private Task RunManyAsync(IEnumerable<int> seeds, Func<int, Task<IReadOnlyList<string>>> run, Func<int, int, Task<IReadOnlyList<string>>>? runWithSteps, int steps, int parallel) =>
        RunManyAsync(output, seeds, run, runWithSteps, steps, parallel);

    internal static async Task RunManyAsync(ITestOutputHelper output, IEnumerable<int> seeds, Func<int, Task<IReadOnlyList<string>>> run, Func<int, int, Task<IReadOnlyList<string>>>? runWithSteps, int steps, int parallel)
    {
        var started = DateTime.UtcNow;
        var failures = new System.Collections.Concurrent.ConcurrentBag<(int Seed, IReadOnlyList<string> Violations)>();
        int ran = 0;
        await Parallel.ForEachAsync(seeds, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (seed, _) =>
        {
            IReadOnlyList<string> violations = await run(seed);
            Interlocked.Increment(ref ran);
            if (violations.Count > 0)
            {
                failures.Add((seed, violations));
            }
        });

        output.WriteLine($"{ran} schedules in {(DateTime.UtcNow - started).TotalSeconds:F1} s, {failures.Count} failed");
        foreach ((int seed, IReadOnlyList<string> violations) in failures.OrderBy(f => f.Seed))
        {
            output.WriteLine($"seed {seed}: {string.Join(" || ", violations.Take(4))}");
        }

        if (failures.IsEmpty)
        {
            return;
        }

        (int failedSeed, IReadOnlyList<string> found) = failures.OrderBy(f => f.Seed).First();
        int shrunk = steps;
        if (runWithSteps is not null)
        {
            // Shrink: the fewest steps of the same seed that still break a promise (schedules are concurrent, so a few tries each).
            for (int n = 1; n < steps; n = Math.Max(n + 1, n * 3 / 2))
            {
                IReadOnlyList<string>[] tries = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => runWithSteps(failedSeed, n)));
                if (tries.FirstOrDefault(t => t.Count > 0) is { } smaller)
                {
                    (shrunk, found) = (n, smaller);
                    break;
                }
            }
        }

        Assert.Fail($"{failures.Count} of {ran} schedules broke a promise. Smallest reproduction: PLATFORM_MODEL_SEED={failedSeed} PLATFORM_MODEL_STEPS={shrunk}\n  "
            + string.Join("\n  ", found.Distinct().Take(20)));
    }
}

[Collection(AzuriteCollection.Name)]
public sealed class ModelBasedAzuriteTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    [Fact]
    public async Task The_log_keeps_every_promise_over_randomized_schedules_on_azurite()
    {
        int schedules = ModelBasedTests.Setting("PLATFORM_MODEL_AZURITE_SCHEDULES", 12);
        int steps = ModelBasedTests.Setting("PLATFORM_MODEL_STEPS", 40);
        Func<string, Task<StorageSet>> stores = name => StorageSet.AzureAsync(azurite, name);
        await ModelBasedTests.RunManyAsync(output, ModelBasedTests.Seeds(schedules, 100_001), seed => new LogSchedule(seed, steps, stores).RunAsync(), (seed, n) => new LogSchedule(seed, n, stores).RunAsync(), steps, parallel: 3);
    }
}

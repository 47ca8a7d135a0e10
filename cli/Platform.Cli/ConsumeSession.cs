using System.Globalization;
using System.Text.Json.Nodes;

namespace Platform.Cli;

/// <summary>One consume run: where each partition starts, the reading (pages or the live stream), the group's commits.</summary>
/// <remarks>
/// A group's offsets are committed only past records the user has seen: as they are printed for text and JSON lines
/// (every 1,000 records, and when it stops, also on Ctrl+C), and for a table only once the table is printed.
/// </remarks>
internal sealed class ConsumeSession(PlatformClient client, ConsumeOptions options, RecordPrinter printer)
{
    private const int CommitEvery = 1000;

    private readonly string _topic = JsonText.Escape(options.Topic);
    private readonly Dictionary<int, long> _next = [];
    private readonly HashSet<int> _moved = [];
    private readonly Lock _gate = new(); // following: records are taken on the stream's thread, commits on a timer
    private int _printed;
    private int _sinceCommit;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        JsonNode? topic = await client.GetAsync($"topics/{_topic}", cancellationToken);
        JsonArray ends = topic?["offsets"]?.AsArray() ?? [];
        int partitions = topic?["partitions"]?.GetValue<int>() ?? ends.Count;
        if (options.Partition is { } only && (only < 0 || only >= partitions))
        {
            throw new CliException(CliException.Usage, $"Topic '{options.Topic}' has partitions 0 to {partitions - 1}; there is no partition {only}.");
        }

        int[] chosen = options.Partition is { } p ? [p] : [.. Enumerable.Range(0, partitions)];
        if (options.Group is { } group)
        {
            JsonNode? committed = await client.GetAsync($"groups/{JsonText.Escape(group)}/topics/{_topic}", cancellationToken);
            foreach (int partition in chosen)
            {
                JsonNode? row = committed?["partitions"]?.AsArray().FirstOrDefault(x => x?["partition"]?.GetValue<int>() == partition);
                long earliest = ends.FirstOrDefault(x => x?["partition"]?.GetValue<int>() == partition)?["earliestOffset"]?.GetValue<long>() ?? 0;
                _next[partition] = Math.Max(row?["committedOffset"]?.GetValue<long?>() ?? earliest, earliest);
            }
        }

        bool completed = false;
        try
        {
            if (options.Follow)
            {
                // The periodic commits stop with the follow, but one in flight finishes before the last commit is sent,
                // so that two commits never land out of order.
                using var stopCommits = new CancellationTokenSource();
                Task commits = CommitEveryAsync(TimeSpan.FromSeconds(5), stopCommits.Token);
                try
                {
                    await FollowAsync(chosen, cancellationToken);
                }
                finally
                {
                    await stopCommits.CancelAsync();
                    await commits;
                }
            }
            else await ReadAsync(chosen, ends, cancellationToken);
            completed = true;
        }
        finally
        {
            if (printer.PrintsAsItGoes)
            {
                // Also on Ctrl+C or a failure: what was printed is committed; a failure of this commit is reported
                // without hiding the outcome of the run itself.
                await FinalCommitAsync(raiseFailure: completed);
            }
        }

        if (completed && !printer.PrintsAsItGoes)
        {
            printer.Finish();
            await FinalCommitAsync(raiseFailure: true);
        }
    }

    private async Task FinalCommitAsync(bool raiseFailure)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await CommitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            if (raiseFailure) throw new CliException(CliException.Unreachable, "The group's offsets could not be committed in time; the records shown will be read again.");
        }
        catch (CliException) when (!raiseFailure)
        {
            // The run's own failure (or Ctrl+C) is what is reported.
        }
    }

    private bool Full => options.Max > 0 && _printed >= options.Max;

    private async Task ReadAsync(int[] chosen, JsonArray ends, CancellationToken cancellationToken)
    {
        foreach (int partition in chosen)
        {
            long end = ends.FirstOrDefault(x => x?["partition"]?.GetValue<int>() == partition)?["latestOffset"]?.GetValue<long>() ?? 0;
            string start = _next.TryGetValue(partition, out long committed) ? $"offset={committed}"
                : options.FromTime is { } time ? $"timestamp={Uri.EscapeDataString(time)}"
                : $"offset={options.FromOffset ?? "earliest"}";
            while (!Full)
            {
                // With a key filter a page holds records that are not printed: always a full page then.
                int want = options.Max > 0 && !options.Filtered ? Math.Min(options.Max - _printed, 1000) : 1000;
                JsonNode? page = await client.GetAsync($"topics/{_topic}/partitions/{partition}/records?{start}&maxRecords={want}&format=json", cancellationToken);
                JsonArray records = page?["records"]?.AsArray() ?? [];
                foreach (JsonNode? record in records.ToArray())
                {
                    if (record is null) continue;
                    records.Remove(record);
                    Take(partition, record);
                    if (Full) break;
                }

                long next = page?["nextOffset"]?.GetValue<long>() ?? end;
                if (!Full) Moved(partition, next); // filtered-out records are consumed too
                if (next >= Math.Max(end, page?["logEndOffset"]?.GetValue<long>() ?? 0) || start == $"offset={next}")
                {
                    break;
                }

                start = string.Create(CultureInfo.InvariantCulture, $"offset={next}");
                if (_sinceCommit >= CommitEvery && printer.PrintsAsItGoes) await CommitAsync(cancellationToken);
            }
        }
    }

    private async Task FollowAsync(int[] chosen, CancellationToken cancellationToken)
    {
        string query = "format=json" + (options.Partition is { } p ? $"&partition={p}" : "");
        string? position = null;
        if (_next.Count > 0)
        {
            position = string.Join(',', chosen.Select(x => string.Create(CultureInfo.InvariantCulture, $"{x}:{_next[x]}")));
        }
        else if (options.FromOffset is { } offset && long.TryParse(offset, NumberStyles.None, CultureInfo.InvariantCulture, out long at))
        {
            position = string.Create(CultureInfo.InvariantCulture, $"{chosen[0]}:{at}");
        }
        else
        {
            query += "&from=" + Uri.EscapeDataString(options.FromTime ?? options.FromOffset ?? "latest");
        }

        await client.FollowAsync($"topics/{_topic}/stream?{query}", (kind, data) =>
        {
            if (kind != "record") return true;
            if (JsonNode.Parse(data) is not JsonObject record) return true;
            int partition = record["partition"]?.GetValue<int>() ?? 0;
            Take(partition, record);
            return !Full;
        }, position, cancellationToken);
    }

    private void Take(int partition, JsonNode record)
    {
        long offset = record["offset"]?.GetValue<long>() ?? 0;
        if (options.KeyMatches is null || options.KeyMatches(record["key"] is JsonValue k && k.TryGetValue(out string? key) ? key : null))
        {
            printer.Print(partition, record); // shown first: a commit never passes a record that was not written out
            _printed++;
        }

        Moved(partition, offset + 1);
    }

    private void Moved(int partition, long next)
    {
        lock (_gate)
        {
            if (_next.TryGetValue(partition, out long was) && was >= next) return;
            _next[partition] = next;
            _moved.Add(partition);
            _sinceCommit++;
        }
    }

    private async Task CommitAsync(CancellationToken cancellationToken)
    {
        if (options.Group is not { } group || !options.Commit) return;
        JsonArray offsets;
        lock (_gate)
        {
            if (_moved.Count == 0) return;
            offsets = new JsonArray([.. _moved.Order().Select(p => (JsonNode)new JsonObject { ["partition"] = p, ["offset"] = _next[p] })]);
            _moved.Clear();
            _sinceCommit = 0;
        }

        try
        {
            await client.PostAsync($"groups/{JsonText.Escape(group)}/topics/{_topic}/commit", new JsonObject { ["offsets"] = offsets }, cancellationToken);
        }
        catch
        {
            lock (_gate)
            {
                // Not committed: these partitions go with the next commit (a later offset of theirs, or this one).
                foreach (JsonNode? o in offsets) _moved.Add(o!["partition"]!.GetValue<int>());
            }

            throw;
        }
    }

    /// <summary>While following as a group, commits what was printed every few seconds, as Kafka's auto-commit does.</summary>
    private async Task CommitEveryAsync(TimeSpan period, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(period, cancellationToken);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await CommitAsync(timeout.Token); // not cut off by stopping: it lands before the last commit is sent
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (CliException)
            {
                // Tried again at the next tick, and at the end.
            }
        }
    }
}

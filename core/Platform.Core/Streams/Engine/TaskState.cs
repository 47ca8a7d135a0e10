using System.Globalization;

namespace Platform.Core.Streams.Engine;

/// <summary>
/// What one task (a job on one input partition) has done: the next input offset, the watermark (largest event time
/// seen), the end of a sub-batch whose outputs may be written already (so that a replay cuts the same one), late records
/// counted, and its open windows. Changes since the last commit are tracked, to be written in one transaction.
/// </summary>
public sealed class TaskState
{
    private readonly Dictionary<(long Start, string Key), WindowState> _windows = [];
    private readonly SortedSet<(long End, string Key, long Start)> _byEnd = [];
    private readonly Dictionary<string, List<long>> _sessions = new(StringComparer.Ordinal);
    private readonly HashSet<(long Start, string Key)> _dirty = [];
    private readonly HashSet<string> _persisted = new(StringComparer.Ordinal);
    private readonly HashSet<string> _removed = new(StringComparer.Ordinal);

    /// <summary>The next input offset to process.</summary>
    public long Next { get; set; }

    /// <summary>The largest event time seen (Unix ms); long.MinValue before any.</summary>
    public long Watermark { get; set; } = long.MinValue;

    /// <summary>The end of the sub-batch being written, when its topic outputs may already be out.</summary>
    public long? PendingEnd { get; set; }

    /// <summary>Late records counted.</summary>
    public long Late { get; set; }

    /// <summary>The stored position's version (an ETag), or null before the first commit.</summary>
    public string? Version { get; set; }

    /// <summary>Open windows.</summary>
    public int WindowCount => _windows.Count;

    /// <summary>Changed windows not yet committed (upserts and deletes).</summary>
    public int ChangeCount => _dirty.Count + _removed.Count;

    /// <summary>The row key a window is stored under: its start, then its key (hex, or a hash when long).</summary>
    public static string RowKey(long start, string key) =>
        string.Create(CultureInfo.InvariantCulture, $"w:{start:D20}:{Storage.StorageNames.TextKey(key)}");

    /// <summary>Adds a window loaded from storage.</summary>
    public void Restore(WindowState window)
    {
        ArgumentNullException.ThrowIfNull(window);
        Index(window);
        _persisted.Add(RowKey(window.Start, window.Key));
    }

    /// <summary>The window of <paramref name="key"/> starting at <paramref name="start"/>, or null.</summary>
    public WindowState? Find(long start, string key) => _windows.GetValueOrDefault((start, key));

    /// <summary>A key's session windows, by start.</summary>
    public IReadOnlyList<WindowState> Sessions(string key) =>
        _sessions.TryGetValue(key, out var starts) ? [.. starts.Select(s => _windows[(s, key)])] : [];

    /// <summary>Adds a new window (changed).</summary>
    public void Add(WindowState window)
    {
        ArgumentNullException.ThrowIfNull(window);
        Index(window);
        _dirty.Add((window.Start, window.Key));
        _removed.Remove(RowKey(window.Start, window.Key)); // removed and made again in one sub-batch: an upsert replaces it
    }

    /// <summary>Marks a window changed (its fields or its end).</summary>
    public void Changed(WindowState window, long oldEnd)
    {
        ArgumentNullException.ThrowIfNull(window);
        if (oldEnd != window.End)
        {
            _byEnd.Remove((oldEnd, window.Key, window.Start));
            _byEnd.Add((window.End, window.Key, window.Start));
        }

        _dirty.Add((window.Start, window.Key));
    }

    /// <summary>Removes a window (closed, or merged into another).</summary>
    public void Remove(WindowState window)
    {
        ArgumentNullException.ThrowIfNull(window);
        _windows.Remove((window.Start, window.Key));
        _byEnd.Remove((window.End, window.Key, window.Start));
        _dirty.Remove((window.Start, window.Key));
        if (_sessions.TryGetValue(window.Key, out var starts))
        {
            starts.Remove(window.Start);
            if (starts.Count == 0) _sessions.Remove(window.Key);
        }

        string row = RowKey(window.Start, window.Key);
        if (_persisted.Contains(row)) _removed.Add(row);
    }

    /// <summary>The window that ends first, if its end is at or before <paramref name="time"/>.</summary>
    public WindowState? FirstEndingBy(long time) =>
        _byEnd.Count > 0 && _byEnd.Min.End <= time ? _windows[(_byEnd.Min.Start, _byEnd.Min.Key)] : null;

    /// <summary>Windows changed since the last commit that are still open, in (end, key) order.</summary>
    public IEnumerable<WindowState> ChangedOpen() =>
        _dirty.Select(d => _windows[d]).OrderBy(w => w.End).ThenBy(w => w.Key, StringComparer.Ordinal);

    /// <summary>The changes to write: windows to upsert (row key, saved state) and row keys to delete.</summary>
    public (IReadOnlyList<(string Row, string State)> Upserts, IReadOnlyList<string> Deletes) Changes() =>
        ([.. _dirty.Select(d => _windows[d]).Select(w => (RowKey(w.Start, w.Key), w.Save()))], [.. _removed]);

    /// <summary>After a commit: the written changes are the stored state now.</summary>
    public void Committed()
    {
        foreach ((long start, string key) in _dirty) _persisted.Add(RowKey(start, key));
        foreach (string row in _removed) _persisted.Remove(row);
        _dirty.Clear();
        _removed.Clear();
    }

    private void Index(WindowState window)
    {
        _windows[(window.Start, window.Key)] = window;
        _byEnd.Add((window.End, window.Key, window.Start));
        if (!_sessions.TryGetValue(window.Key, out var starts)) _sessions[window.Key] = starts = [];
        starts.Add(window.Start);
    }
}

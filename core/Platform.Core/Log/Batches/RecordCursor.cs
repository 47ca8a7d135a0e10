using System.Globalization;

namespace Platform.Core.Log.Batches;

/// <summary>
/// Walks the records of a batch's (decompressed) payload without copying them: each step gives the record's bytes,
/// offset, key and whether its value is null. A plain batch holds exactly its record count, with offset deltas 0, 1, 2…;
/// a compacted batch holds any number of records with strictly increasing offset deltas below its count.
/// </summary>
internal ref struct RecordCursor
{
    private readonly ReadOnlySpan<byte> _payload;
    private readonly RecordBatchHeader _header;
    private int _position;
    private int _index;
    private long _lastOffset;

    public RecordCursor(ReadOnlySpan<byte> payload, in RecordBatchHeader header)
    {
        _payload = payload;
        _header = header;
        _lastOffset = header.BaseOffset - 1;
    }

    /// <summary>Where the current record's bytes (length prefix included) start in the payload.</summary>
    public int Start { get; private set; }

    /// <summary>Where the current record's bytes end.</summary>
    public int End { get; private set; }

    /// <summary>Where the record's body (after the length prefix) starts.</summary>
    public int BodyStart { get; private set; }

    /// <summary>Offset of the current record.</summary>
    public long Offset { get; private set; }

    /// <summary>Create time of the current record (Unix ms).</summary>
    public long Timestamp { get; private set; }

    /// <summary>Start of the key in the payload, or -1 for a null key.</summary>
    public int KeyStart { get; private set; }

    /// <summary>Key length (0 for a null key).</summary>
    public int KeyLength { get; private set; }

    /// <summary>Value length, or -1 for a null value (a tombstone).</summary>
    public int ValueLength { get; private set; }

    /// <summary>Where the value (or, for a null one, the header count) begins: the reader goes on from here.</summary>
    public int AfterKey { get; private set; }

    /// <summary>The current record's key bytes (empty for a null key; see <see cref="KeyStart"/>).</summary>
    public readonly ReadOnlySpan<byte> Key => KeyStart < 0 ? default : _payload.Slice(KeyStart, KeyLength);

    /// <summary>Moves to the next record; false at the end of the payload (checked to end exactly there).</summary>
    /// <exception cref="CorruptBatchException">The payload does not hold what the header says.</exception>
    public bool MoveNext()
    {
        bool more = _header.IsCompacted ? _position < _payload.Length : _index < _header.RecordCount;
        if (!more)
        {
            if (_position != _payload.Length)
            {
                throw Corrupt($"{_payload.Length - _position} bytes follow the last record");
            }

            return false;
        }

        int p = _position;
        Start = p;
        int length = checked((int)VarInt.Read(_payload, ref p));
        int end = p + length;
        if (length < 0 || end > _payload.Length)
        {
            throw Corrupt(string.Create(CultureInfo.InvariantCulture, $"record {_index} runs past the payload"));
        }

        BodyStart = p;
        p++; // attributes
        Timestamp = _header.FirstTimestamp + VarInt.Read(_payload, ref p);
        long delta = VarInt.Read(_payload, ref p);
        Offset = _header.BaseOffset + delta;
        if (_header.IsCompacted ? (Offset <= _lastOffset || delta >= _header.RecordCount) : delta != _index)
        {
            throw Corrupt(string.Create(CultureInfo.InvariantCulture, $"record {_index} has offset delta {delta}"));
        }

        long keyLength = VarInt.Read(_payload, ref p);
        if (keyLength > end - p)
        {
            throw Corrupt("a key runs past its record");
        }

        KeyStart = keyLength < 0 ? -1 : p;
        KeyLength = keyLength < 0 ? 0 : (int)keyLength;
        p += KeyLength;
        AfterKey = p;
        long valueLength = VarInt.Read(_payload, ref p);
        ValueLength = valueLength < 0 ? -1 : (int)Math.Min(valueLength, int.MaxValue);
        End = end;
        _position = end;
        _lastOffset = Offset;
        _index++;
        return true;
    }

    private readonly CorruptBatchException Corrupt(string what) =>
        new(string.Create(CultureInfo.InvariantCulture, $"Record batch at base offset {_header.BaseOffset}: {what}."));
}

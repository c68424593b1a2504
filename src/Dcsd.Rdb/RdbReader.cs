using Dcsd.Rdb.Primitives;
using Dcsd.Rdb.Reading;

namespace Dcsd.Rdb;

public sealed class RdbReaderOptions
{
    /// <summary>Largest single key, element, aux value or encoded blob held in memory.</summary>
    public long MaxInMemoryBytes { get; init; } = 512L << 20;

    /// <summary>Decoded chunks carry at most this many items…</summary>
    public int ChunkMaxItems { get; init; } = 512;

    /// <summary>…and about this many bytes (big strings are cut into pieces of exactly this size).</summary>
    public int ChunkMaxBytes { get; init; } = 1 << 20;

    /// <summary>Skip Redis Enterprise opcodes 107/121 instead of failing.</summary>
    public bool AllowEnterpriseOpcodes { get; init; }
}

/// <summary>
/// Pulls keys from an RDB stream one at a time. Each <see cref="RdbEntry"/> exposes the key and its attributes;
/// its value is consumed on demand, as a DUMP payload, as decoded chunks, or skipped. Moving to the next entry
/// skips whatever of the previous value was not consumed. Reads are synchronous, in large blocks.
/// </summary>
public sealed class RdbReader : IDisposable
{
    private readonly RdbParser _parser;
    private readonly RdbReaderOptions _options;
    private readonly ScratchBuffer _capture = new(4096);
    private bool _headerRead;
    private RdbEntry? _current;
    private IEnumerator<RdbValueChunk>? _openChunks;
    private bool _disposed;

    public RdbReader(Stream stream, RdbReaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _options = options ?? new RdbReaderOptions();
        _parser = new RdbParser(stream, new RdbParserSettings
        {
            MaxInMemoryBytes = _options.MaxInMemoryBytes,
            AllowEnterpriseOpcodes = _options.AllowEnterpriseOpcodes,
        });
    }

    /// <summary>The RDB version from the header (read on the first call to <see cref="Read"/>).</summary>
    public int RdbVersion => _parser.Version;

    public bool IsValkey => _parser.IsValkey;

    /// <summary>AUX fields seen so far (complete once <see cref="Read"/> returned null).</summary>
    public IReadOnlyDictionary<string, string> Aux => _parser.Aux;

    /// <summary>Function library names seen so far (FUNCTION2 records).</summary>
    public IReadOnlyList<string> FunctionLibraries => _parser.Functions;

    /// <summary>Source code of each function library, for FUNCTION LOAD.</summary>
    public IReadOnlyList<string> FunctionCodes => _parser.FunctionCodes;

    /// <summary>True once the end was reached and the stored CRC64 was non-zero and matched.</summary>
    public bool ChecksumVerified => _parser.Finished && _parser.ChecksumPresent && _parser.StoredChecksum != 0;

    public long Offset => _parser.Input.Offset;

    /// <summary>The next key, or null after the EOF opcode (whose checksum has then been verified).</summary>
    // Once per key: compile optimized at once rather than through the tiers.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public RdbEntry? Read()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_headerRead)
        {
            _parser.ReadHeader();
            _headerRead = true;
        }

        FinishCurrent();
        if (_parser.Finished || !_parser.NextKey())
        {
            return null;
        }

        _current = new RdbEntry(this, _parser.Database, _parser.Key.ToArray(), _parser.Type, _parser.ExpireAtMs, _parser.IdleSeconds, _parser.Frequency, _parser.KeyOffset);
        return _current;
    }

    private void FinishCurrent()
    {
        if (_current is null)
        {
            return;
        }

        RdbEntry entry = _current;
        _current = null;
        if (_openChunks is not null)
        {
            IEnumerator<RdbValueChunk> rest = _openChunks;
            _openChunks = null;
            while (rest.MoveNext())
            {
                // drain what the caller did not consume
            }

            rest.Dispose();
        }
        else if (!entry.ValueConsumed)
        {
            _parser.SkipValue();
        }
    }

    internal void Claim(RdbEntry entry)
    {
        if (!ReferenceEquals(entry, _current) || entry.ValueConsumed)
        {
            throw new InvalidOperationException("the value of this entry was already consumed, or the reader has moved on");
        }

        entry.ValueConsumed = true;
    }

    internal byte[] ReadDumpPayload(RdbEntry entry)
    {
        Claim(entry);
        _parser.Input.BeginCapture(_capture, int.MaxValue - 64);
        _parser.SkipValue();
        int length = _parser.Input.EndCapture();
        if (length < 0)
        {
            throw _parser.Input.Error("value too large for a DUMP payload");
        }

        return DumpPayload.Create(entry.Type, _capture.Array.AsSpan(0, length), _parser.Version);
    }

    internal IEnumerable<RdbValueChunk> ReadChunks(RdbEntry entry)
    {
        Claim(entry);
        IEnumerator<RdbValueChunk> chunks = _parser.DecodeValue(_options.ChunkMaxItems, _options.ChunkMaxBytes).GetEnumerator();
        _openChunks = chunks;
        return Enumerate(entry, chunks, []);
    }

    private IEnumerable<RdbValueChunk> Enumerate(RdbEntry entry, IEnumerator<RdbValueChunk> chunks, List<RdbValueChunk> already)
    {
        foreach (RdbValueChunk chunk in already)
        {
            yield return chunk;
        }

        while (true)
        {
            if (!ReferenceEquals(_current, entry) || _openChunks != chunks)
            {
                throw new InvalidOperationException("the reader has moved past this entry");
            }

            if (!chunks.MoveNext())
            {
                break;
            }

            yield return chunks.Current;
        }

        _openChunks = null;
        chunks.Dispose();
    }

    /// <summary>
    /// Skips the value within the buffered input and hands out its bytes in place when there are at most
    /// <paramref name="maxBytes"/>: small values, nearly every key of a file, are neither decoded nor copied. Nothing is
    /// consumed when it returns false.
    /// </summary>
    // Runs once per key of a restore: compile optimized at once rather than through the tiers.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal bool TryReadDumpBody(RdbEntry entry, long maxBytes, out ReadOnlySpan<byte> body)
    {
        if (!ReferenceEquals(entry, _current) || entry.ValueConsumed)
        {
            throw new InvalidOperationException("the value of this entry was already consumed, or the reader has moved on");
        }

        RdbInput input = _parser.Input;
        long start = input.Offset;
        if (!TrySkipConfined(input))
        {
            // The value runs past the buffered bytes. At most once per buffer's worth of file: read on from the value's
            // start and try again; a value that still does not fit is a big one.
            input.FillBuffer();
            if (!TrySkipConfined(input))
            {
                body = default;
                return false;
            }
        }

        body = input.ConsumedSince(start);
        if (body.Length > maxBytes)
        {
            input.RewindTo(start);
            body = default;
            return false;
        }

        entry.ValueConsumed = true;
        return true;
    }

    private bool TrySkipConfined(RdbInput input)
    {
        long start = input.BeginConfined();
        try
        {
            _parser.SkipValue();
            return true;
        }
        catch (BufferExhaustedException)
        {
            input.RewindTo(start);
            return false;
        }
        finally
        {
            input.EndConfined();
        }
    }

    internal RdbValue ReadValue(RdbEntry entry, long dumpThreshold)
    {
        if (TryReadDumpBody(entry, dumpThreshold, out ReadOnlySpan<byte> body))
        {
            return new RdbValue(DumpPayload.Create(entry.Type, body, _parser.Version), null);
        }

        // Bigger than the input buffer: decode it, capturing the bytes until they pass the threshold.
        Claim(entry);
        RdbInput input = _parser.Input;
        input.BeginCapture(_capture, dumpThreshold);
        IEnumerator<RdbValueChunk> chunks = _parser.DecodeValue(_options.ChunkMaxItems, _options.ChunkMaxBytes).GetEnumerator();
        var held = new List<RdbValueChunk>();
        bool more;
        while ((more = chunks.MoveNext()) && !input.CaptureOverflowed)
        {
            held.Add(chunks.Current);
        }

        int length = input.EndCapture();
        if (!more && length >= 0)
        {
            chunks.Dispose();
            return new RdbValue(DumpPayload.Create(entry.Type, _capture.Array.AsSpan(0, length), _parser.Version), null);
        }

        // Too big for one payload: hand out what was decoded so far, then the rest as it streams.
        if (more)
        {
            held.Add(chunks.Current);
        }

        _openChunks = chunks;
        return new RdbValue(null, Enumerate(entry, chunks, held));
    }

    internal void Skip(RdbEntry entry)
    {
        Claim(entry);
        _parser.SkipValue();
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _openChunks?.Dispose();
            _parser.Dispose();
            _capture.Dispose();
        }
    }
}

/// <summary>A value as the caller asked for it: a DUMP payload when small enough, otherwise decoded chunks.</summary>
public sealed class RdbValue
{
    internal RdbValue(byte[]? dumpPayload, IEnumerable<RdbValueChunk>? chunks)
    {
        DumpPayload = dumpPayload;
        Chunks = chunks;
    }

    /// <summary>The DUMP payload, or null when the value exceeded the threshold.</summary>
    public byte[]? DumpPayload { get; }

    /// <summary>The decoded value in chunks (only when <see cref="DumpPayload"/> is null); enumerate once, before reading on.</summary>
    public IEnumerable<RdbValueChunk>? Chunks { get; }
}

/// <summary>One key of the RDB. Consume its value at most once, before the next <see cref="RdbReader.Read"/>.</summary>
public sealed class RdbEntry
{
    private readonly RdbReader _reader;

    internal RdbEntry(RdbReader reader, int db, byte[] key, RdbObjectType type, long? expiresAtMs, long? idleSeconds, int? frequency, long offset)
    {
        _reader = reader;
        Db = db;
        Key = key;
        Type = type;
        ExpiresAtMs = expiresAtMs;
        IdleSeconds = idleSeconds;
        Frequency = frequency;
        Offset = offset;
    }

    public int Db { get; }

    public byte[] Key { get; }

    public RdbObjectType Type { get; }

    public RdbKind Kind => RdbObjectTypes.KindOf(Type);

    public string Encoding => RdbObjectTypes.EncodingName(Type);

    /// <summary>Absolute expire time in Unix milliseconds, or null.</summary>
    public long? ExpiresAtMs { get; }

    /// <summary>LRU idle time in seconds (IDLE opcode), or null.</summary>
    public long? IdleSeconds { get; }

    /// <summary>LFU counter (FREQ opcode), or null.</summary>
    public int? Frequency { get; }

    /// <summary>Offset of the type byte in the RDB.</summary>
    public long Offset { get; }

    internal bool ValueConsumed { get; set; }

    /// <summary>The exact DUMP payload for RESTORE, whatever its size (memory: the value's serialized size).</summary>
    public byte[] ReadDumpPayload() => _reader.ReadDumpPayload(this);

    /// <summary>The DUMP payload if the serialized value is at most <paramref name="dumpThreshold"/> bytes, else streaming chunks.</summary>
    public RdbValue ReadValue(long dumpThreshold) => _reader.ReadValue(this, dumpThreshold);

    /// <summary>
    /// The value as serialized in the RDB, the body of its DUMP payload (see <see cref="Rdb.DumpPayload.Write"/>), read in
    /// place when it is at most <paramref name="maxBytes"/> and lies within the reader's input buffer (1 MB); valid until
    /// the next read. False, with nothing consumed, for a value too big for that: read it with <see cref="ReadValue"/>.
    /// </summary>
    public bool TryReadDumpBody(long maxBytes, out ReadOnlySpan<byte> body) => _reader.TryReadDumpBody(this, maxBytes, out body);

    /// <summary>The decoded value as chunks, streamed from the input without holding the value.</summary>
    public IEnumerable<RdbValueChunk> ReadChunks() => _reader.ReadChunks(this);

    public void Skip() => _reader.Skip(this);
}

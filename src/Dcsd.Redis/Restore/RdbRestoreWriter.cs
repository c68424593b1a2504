using Dcsd.Rdb;
using Dcsd.Redis.Protocol;

namespace Dcsd.Redis.Restore;

/// <summary>What a target can take, as the writer sees it.</summary>
/// <param name="RdbVersion">Highest RDB version the target loads: payloads of older types are restamped down to it.</param>
/// <param name="SupportsFunctions">Redis 7+: FUNCTION FLUSH / FUNCTION LOAD.</param>
internal readonly record struct RestoreCapabilities(int RdbVersion, bool SupportsFunctions);

/// <summary>Counts of one writer run.</summary>
/// <param name="OtherDatabaseSkipped">Keys left out because the database mapping dropped their database.</param>
/// <param name="BatchedStrings">Plain strings sent in MSET batches rather than as RESTOREs.</param>
internal readonly record struct RestoreWriteSummary(long Keys, long NativeKeys, long ExpiredSkipped, int Functions, long OtherDatabaseSkipped = 0, long BatchedStrings = 0);

/// <summary>
/// Turns the entries of an RDB into restore commands for a sink, independent of where they go: FLUSHALL (+ FUNCTION
/// FLUSH), FUNCTION LOAD REPLACE per library, SELECT on database change, MSET batches of small plain strings (see
/// <see cref="StringBatches"/>), <c>RESTORE key expireAt payload REPLACE ABSTTL [IDLETIME s | FREQ f]</c> for every
/// other key, and for values over the threshold (or of a type the target cannot read) native command batches into a
/// temporary key followed by RENAME and PEXPIREAT. Keys already expired are skipped.
/// </summary>
internal sealed class RdbRestoreWriter : IDisposable
{
    private readonly IRestoreCommandSink _sink;
    private readonly RestoreCapabilities _target;
    private readonly CommandRestoreOptions _options;
    private readonly Func<long> _nowMs;
    private readonly Func<int, int?>? _mapDatabase;
    private readonly StringBatches? _strings;
    private int _currentDb = -1;
    private int _fileDb = -1;
    private int _functionsSent;
    private long _temporaryKeys;

    /// <param name="mapDatabase">
    /// The target database for a file database, or null to leave its keys out (a cluster has only db 0); may throw to refuse
    /// the file. Without it every key goes to its own database.
    /// </param>
    public RdbRestoreWriter(IRestoreCommandSink sink, RestoreCapabilities target, CommandRestoreOptions options, Func<long>? nowMs = null, Func<int, int?>? mapDatabase = null)
    {
        _mapDatabase = mapDatabase;
        _sink = sink;
        _target = target;
        _options = options;
        _nowMs = nowMs ?? (() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        _strings = options.BatchPlainStrings ? new StringBatches(options.StringBatchKeys, options.StringBatchBytes, options.StringBatchPendingBytes) : null;
    }

    /// <summary>
    /// <see cref="Write"/> on a thread of its own: it reads the file and waits for the target synchronously for the whole
    /// restore, which would hold a thread-pool thread as long.
    /// </summary>
    public Task<RestoreWriteSummary> WriteAsync(RdbReader reader, Action<long>? progress, CancellationToken cancellationToken) =>
        Task.Factory.StartNew(() => Write(reader, progress, cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>Writes the whole file to the sink, blocking while the sink waits for the target.</summary>
    // The loop of every restore: compile optimized at once rather than through the tiers.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public RestoreWriteSummary Write(RdbReader reader, Action<long>? progress, CancellationToken cancellationToken)
    {
        if (_options.FlushTarget)
        {
            Simple("FLUSHALL", null);
            if (_target.SupportsFunctions)
            {
                Simple("FUNCTION", "FLUSH");
            }
        }

        long keys = 0, native = 0, expired = 0, otherDatabase = 0, batched = 0;
        long nextProgress = 0;
        while (reader.Read() is { } entry)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_functionsSent < reader.FunctionCodes.Count)
            {
                SendNewFunctions(reader);
            }

            if (entry.ExpiresAtMs is long expiresAt && expiresAt <= _nowMs())
            {
                // RESTORE … ABSTTL would drop it anyway; not sending it saves the payload.
                entry.Skip();
                expired++;
                continue;
            }

            if (entry.Db != _fileDb)
            {
                // Keys are unique within a database of the file, so a batch may overtake the keys after it; across
                // databases (which the mapping may merge into one) the file's order decides which value wins.
                _strings?.Flush(_sink);
                _fileDb = entry.Db;
            }

            int db = entry.Db;
            if (_mapDatabase is not null)
            {
                if (_mapDatabase(entry.Db) is not int mapped)
                {
                    entry.Skip();
                    otherDatabase++;
                    continue;
                }

                db = mapped;
            }

            if (db != _currentDb)
            {
                Select(db);
            }

            if (RdbVersions.MinimumFor(entry.Type) > _target.RdbVersion)
            {
                WriteNative(entry, entry.ReadChunks());
                native++;
            }
            else if (entry.TryReadDumpBody(_options.BigValueThreshold, out ReadOnlySpan<byte> body))
            {
                // Nearly every key: its bytes go from the reader's buffer into the command, neither decoded nor copied on the way.
                if (TryBatchString(entry, db, body))
                {
                    batched++;
                }
                else
                {
                    WriteRestore(entry, body, reader.RdbVersion);
                }
            }
            else
            {
                RdbValue value = entry.ReadValue(_options.BigValueThreshold);
                if (value.DumpPayload is { } payload)
                {
                    WriteRestore(entry, payload.AsSpan(1, payload.Length - 1 - DumpPayload.FooterLength), reader.RdbVersion);
                }
                else
                {
                    WriteNative(entry, value.Chunks!);
                    native++;
                }
            }

            keys++;
            if (progress is not null && reader.Offset >= nextProgress)
            {
                progress(reader.Offset);
                nextProgress = reader.Offset + (1 << 20);
            }
        }

        SendNewFunctions(reader);
        _strings?.Flush(_sink);
        _sink.Complete();
        progress?.Invoke(reader.Offset);
        return new RestoreWriteSummary(keys, native, expired, _functionsSent, otherDatabase, batched);
    }

    /// <summary>
    /// Adds a string with nothing but its value (no expiry, idle time or frequency, which only RESTORE sets) to the MSET
    /// batch; an LZF-compressed one stays a RESTORE, which redis-server decompresses itself.
    /// </summary>
    // Once per key: compile optimized at once rather than through the tiers.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private bool TryBatchString(RdbEntry entry, int db, ReadOnlySpan<byte> body)
    {
        if (_strings is null || entry.Type != RdbObjectType.String || entry.ExpiresAtMs is not null || entry.IdleSeconds is not null || entry.Frequency is not null)
        {
            return false;
        }

        Span<byte> digits = stackalloc byte[RdbStringBody.MaxIntegerDigits];
        if (!RdbStringBody.TryGetValue(body, digits, out ReadOnlySpan<byte> value) || !_strings.Takes(value.Length))
        {
            return false;
        }

        _strings.Add(_sink, entry.Key, db, _sink.GroupOf(entry.Key), value);
        return true;
    }

    // Once per key: compile optimized at once rather than through the tiers.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void WriteRestore(RdbEntry entry, ReadOnlySpan<byte> body, int fileRdbVersion)
    {
        // RESTORE key expireAt payload REPLACE ABSTTL [IDLETIME s | FREQ f], its fixed arguments encoded in advance.
        RespWriter command = _sink.Begin(entry.Key);
        bool idle = entry.IdleSeconds is not null;
        bool frequency = !idle && entry.Frequency is not null;
        command.Raw(idle || frequency ? "*8\r\n$7\r\nRESTORE\r\n"u8 : "*6\r\n$7\r\nRESTORE\r\n"u8);
        command.Bulk(entry.Key);
        if (entry.ExpiresAtMs is long expiresAt)
        {
            command.Bulk(expiresAt);
        }
        else
        {
            command.Raw("$1\r\n0\r\n"u8);
        }

        // Stamped with the file's RDB version, or the target's when that is older: the type is one the target knows
        // (checked by the caller), only the footer's version gate is in the way (§3.2).
        DumpPayload.Write(command.ReserveBulk(DumpPayload.LengthFor(body)), entry.Type, body, Math.Min(fileRdbVersion, _target.RdbVersion));
        command.Raw("$7\r\nREPLACE\r\n$6\r\nABSTTL\r\n"u8);
        if (idle)
        {
            command.Bulk("IDLETIME"u8);
            command.Bulk(entry.IdleSeconds!.Value);
        }
        else if (frequency)
        {
            command.Bulk("FREQ"u8);
            command.Bulk(entry.Frequency!.Value);
        }

        _sink.Commit(new RestoreCommandInfo("RESTORE", entry.Key, entry.Db, Keys: 1));
    }

    /// <summary>
    /// Builds the value in a temporary key from native command batches as the chunks stream in, then RENAMEs it over the
    /// real key (so the key appears whole) and sets its absolute expiry. Idle time and frequency cannot be set this way.
    /// </summary>
    private void WriteNative(RdbEntry entry, IEnumerable<RdbValueChunk> chunks)
    {
        if (entry.Kind == RdbKind.Module)
        {
            throw new RedisFailureException(RedisFailureKind.Incompatible, $"key {TargetPipeline.Describe(entry.Key)} (db {entry.Db}) holds a module value that the target cannot take as a DUMP payload");
        }

        byte[] temporary = TemporaryKeys.For(entry.Key, _temporaryKeys++);
        if (entry.Kind == RdbKind.String)
        {
            WriteStringPieces(entry, temporary, chunks);
        }
        else
        {
            var render = new RdbRenderOptions { MaxArguments = _options.NativeBatchArguments, MaxBytes = _options.NativeBatchBytes };
            foreach (IReadOnlyList<byte[]> arguments in RdbCommandRenderer.Render(temporary, chunks, render))
            {
                _sink.Begin(entry.Key).Command(arguments);
                _sink.Commit(new RestoreCommandInfo(System.Text.Encoding.ASCII.GetString(arguments[0]), entry.Key, entry.Db));
            }
        }

        RespWriter rename = _sink.Begin(entry.Key);
        rename.BeginCommand(3);
        rename.Bulk("RENAME"u8);
        rename.Bulk(temporary);
        rename.Bulk(entry.Key);
        _sink.Commit(new RestoreCommandInfo("RENAME", entry.Key, entry.Db, Keys: 1));
        if (entry.ExpiresAtMs is long expiresAt)
        {
            _sink.Begin(entry.Key).Command(RdbCommandRenderer.ExpireAt(entry.Key, expiresAt));
            _sink.Commit(new RestoreCommandInfo("PEXPIREAT", entry.Key, entry.Db));
        }
    }

    /// <summary>SET then APPENDs straight from the decoded pieces (the renderer would copy each piece once more).</summary>
    private void WriteStringPieces(RdbEntry entry, byte[] temporary, IEnumerable<RdbValueChunk> chunks)
    {
        bool first = true;
        foreach (RdbValueChunk chunk in chunks)
        {
            WritePiece(entry, temporary, first, ((RdbStringChunk)chunk).Data.Span);
            first = false;
        }

        if (first)
        {
            // An empty string yields no piece; it still exists.
            WritePiece(entry, temporary, first, ReadOnlySpan<byte>.Empty);
        }
    }

    private void WritePiece(RdbEntry entry, byte[] temporary, bool first, ReadOnlySpan<byte> piece)
    {
        RespWriter command = _sink.Begin(entry.Key);
        command.BeginCommand(3);
        command.Bulk(first ? "SET"u8 : "APPEND"u8);
        command.Bulk(temporary);
        command.Bulk(piece);
        _sink.Commit(new RestoreCommandInfo(first ? "SET" : "APPEND", entry.Key, entry.Db));
    }

    private void SendNewFunctions(RdbReader reader)
    {
        IReadOnlyList<string> codes = reader.FunctionCodes;
        while (_functionsSent < codes.Count)
        {
            if (!_target.SupportsFunctions)
            {
                throw new RedisFailureException(RedisFailureKind.Incompatible, "the file holds function libraries and the target predates Redis 7 functions");
            }

            RespWriter command = _sink.Begin(null);
            command.BeginCommand(4);
            command.Bulk("FUNCTION"u8);
            command.Bulk("LOAD"u8);
            command.Bulk("REPLACE"u8);
            command.Bulk(System.Text.Encoding.UTF8.GetBytes(codes[_functionsSent]));
            string library = _functionsSent < reader.FunctionLibraries.Count ? reader.FunctionLibraries[_functionsSent] : "?";
            _sink.Commit(new RestoreCommandInfo($"FUNCTION LOAD of library '{library}'", null, Math.Max(_currentDb, 0)));
            _functionsSent++;
        }
    }

    private void Select(int db)
    {
        RespWriter command = _sink.Begin(null);
        command.BeginCommand(2);
        command.Bulk("SELECT"u8);
        command.Bulk(db);
        _sink.Commit(new RestoreCommandInfo($"SELECT {db}", null, db));
        _currentDb = db;
    }

    private void Simple(string name, string? argument)
    {
        RespWriter command = _sink.Begin(null);
        command.BeginCommand(argument is null ? 1 : 2);
        command.Bulk(name);
        if (argument is not null)
        {
            command.Bulk(argument);
        }

        _sink.Commit(new RestoreCommandInfo(argument is null ? name : name + " " + argument, null, Math.Max(_currentDb, 0)));
    }

    public void Dispose() => _strings?.Dispose();
}

using Dcsd.Rdb;

namespace Dcsd.Redis.Restore;

/// <summary>What a target can take, as the writer sees it.</summary>
/// <param name="RdbVersion">Highest RDB version the target loads: payloads of older types are restamped down to it.</param>
/// <param name="SupportsFunctions">Redis 7+: FUNCTION FLUSH / FUNCTION LOAD.</param>
internal readonly record struct RestoreCapabilities(int RdbVersion, bool SupportsFunctions);

/// <summary>Counts of one writer run.</summary>
/// <param name="OtherDatabaseSkipped">Keys left out because the database mapping dropped their database.</param>
internal readonly record struct RestoreWriteSummary(long Keys, long NativeKeys, long ExpiredSkipped, int Functions, long OtherDatabaseSkipped = 0);

/// <summary>
/// Turns the entries of an RDB into restore commands for a sink, independent of where they go: FLUSHALL (+ FUNCTION
/// FLUSH), FUNCTION LOAD REPLACE per library, SELECT on database change, <c>RESTORE key expireAt payload REPLACE ABSTTL
/// [IDLETIME s | FREQ f]</c> per key, and for values over the threshold (or of a type the target cannot read) native
/// command batches into a temporary key followed by RENAME and PEXPIREAT. Keys already expired are skipped.
/// </summary>
internal sealed class RdbRestoreWriter
{
    private readonly IRestoreCommandSink _sink;
    private readonly RestoreCapabilities _target;
    private readonly CommandRestoreOptions _options;
    private readonly Func<long> _nowMs;
    private readonly Func<int, int?>? _mapDatabase;
    private int _currentDb = -1;
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
    }

    public async Task<RestoreWriteSummary> WriteAsync(RdbReader reader, Action<long>? progress, CancellationToken cancellationToken)
    {
        if (_options.FlushTarget)
        {
            await SimpleAsync("FLUSHALL", cancellationToken).ConfigureAwait(false);
            if (_target.SupportsFunctions)
            {
                await SimpleAsync("FUNCTION", "FLUSH", cancellationToken).ConfigureAwait(false);
            }
        }

        long keys = 0, native = 0, expired = 0, otherDatabase = 0;
        long nextProgress = 0;
        while (reader.Read() is { } entry)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await SendNewFunctionsAsync(reader, cancellationToken).ConfigureAwait(false);
            if (entry.ExpiresAtMs is long expiresAt && expiresAt <= _nowMs())
            {
                // RESTORE … ABSTTL would drop it anyway; not sending it saves the payload.
                entry.Skip();
                expired++;
                continue;
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
                await SelectAsync(db, cancellationToken).ConfigureAwait(false);
            }

            if (RdbVersions.MinimumFor(entry.Type) > _target.RdbVersion)
            {
                await WriteNativeAsync(entry, entry.ReadChunks(), cancellationToken).ConfigureAwait(false);
                native++;
            }
            else
            {
                RdbValue value = entry.ReadValue(_options.BigValueThreshold);
                if (value.DumpPayload is { } payload)
                {
                    await WriteRestoreAsync(entry, payload, reader.RdbVersion, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await WriteNativeAsync(entry, value.Chunks!, cancellationToken).ConfigureAwait(false);
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

        await SendNewFunctionsAsync(reader, cancellationToken).ConfigureAwait(false);
        await _sink.CompleteAsync(cancellationToken).ConfigureAwait(false);
        progress?.Invoke(reader.Offset);
        return new RestoreWriteSummary(keys, native, expired, _functionsSent, otherDatabase);
    }

    private async Task WriteRestoreAsync(RdbEntry entry, byte[] payload, int fileRdbVersion, CancellationToken cancellationToken)
    {
        if (fileRdbVersion > _target.RdbVersion)
        {
            // The type is one the target knows (checked by the caller): only the footer's version gate is in the way (§3.2).
            DumpPayload.StampFooter(payload, _target.RdbVersion);
        }

        RespCommandBuffer command = _sink.Begin(entry.Key);
        int arguments = 6 + (entry.IdleSeconds is not null ? 2 : 0) + (entry.IdleSeconds is null && entry.Frequency is not null ? 2 : 0);
        command.BeginCommand(arguments);
        command.Bulk("RESTORE");
        command.Bulk(entry.Key);
        command.Bulk(entry.ExpiresAtMs ?? 0);
        command.Bulk(payload);
        command.Bulk("REPLACE");
        command.Bulk("ABSTTL");
        if (entry.IdleSeconds is long idle)
        {
            command.Bulk("IDLETIME");
            command.Bulk(idle);
        }
        else if (entry.Frequency is int frequency)
        {
            command.Bulk("FREQ");
            command.Bulk(frequency);
        }

        await _sink.CommitAsync(new RestoreCommandInfo("RESTORE", entry.Key, entry.Db), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Builds the value in a temporary key from native command batches as the chunks stream in, then RENAMEs it over the
    /// real key (so the key appears whole) and sets its absolute expiry. Idle time and frequency cannot be set this way.
    /// </summary>
    private async Task WriteNativeAsync(RdbEntry entry, IEnumerable<RdbValueChunk> chunks, CancellationToken cancellationToken)
    {
        if (entry.Kind == RdbKind.Module)
        {
            throw new RestoreException(RestoreFailure.Incompatible, $"key {TargetPipeline.Describe(entry.Key)} (db {entry.Db}) holds a module value that the target cannot take as a DUMP payload");
        }

        byte[] temporary = TemporaryKeys.For(entry.Key, _temporaryKeys++);
        if (entry.Kind == RdbKind.String)
        {
            await WriteStringPiecesAsync(entry, temporary, chunks, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var render = new RdbRenderOptions { MaxArguments = _options.NativeBatchArguments, MaxBytes = _options.NativeBatchBytes };
            foreach (IReadOnlyList<byte[]> arguments in RdbCommandRenderer.Render(temporary, chunks, render))
            {
                _sink.Begin(entry.Key).Command(arguments);
                await _sink.CommitAsync(new RestoreCommandInfo(System.Text.Encoding.ASCII.GetString(arguments[0]), entry.Key, entry.Db), cancellationToken).ConfigureAwait(false);
            }
        }

        RespCommandBuffer rename = _sink.Begin(entry.Key);
        rename.BeginCommand(3);
        rename.Bulk("RENAME");
        rename.Bulk(temporary);
        rename.Bulk(entry.Key);
        await _sink.CommitAsync(new RestoreCommandInfo("RENAME", entry.Key, entry.Db), cancellationToken).ConfigureAwait(false);
        if (entry.ExpiresAtMs is long expiresAt)
        {
            _sink.Begin(entry.Key).Command(RdbCommandRenderer.ExpireAt(entry.Key, expiresAt));
            await _sink.CommitAsync(new RestoreCommandInfo("PEXPIREAT", entry.Key, entry.Db), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>SET then APPENDs straight from the decoded pieces (the renderer would copy each piece once more).</summary>
    private async Task WriteStringPiecesAsync(RdbEntry entry, byte[] temporary, IEnumerable<RdbValueChunk> chunks, CancellationToken cancellationToken)
    {
        bool first = true;
        foreach (RdbValueChunk chunk in chunks)
        {
            var piece = (RdbStringChunk)chunk;
            RespCommandBuffer command = _sink.Begin(entry.Key);
            command.BeginCommand(3);
            command.Bulk(first ? "SET" : "APPEND");
            command.Bulk(temporary);
            command.Bulk(piece.Data.Span);
            await _sink.CommitAsync(new RestoreCommandInfo(first ? "SET" : "APPEND", entry.Key, entry.Db), cancellationToken).ConfigureAwait(false);
            first = false;
        }

        if (first)
        {
            // An empty string yields no piece; it still exists.
            RespCommandBuffer command = _sink.Begin(entry.Key);
            command.BeginCommand(3);
            command.Bulk("SET");
            command.Bulk(temporary);
            command.Bulk(ReadOnlySpan<byte>.Empty);
            await _sink.CommitAsync(new RestoreCommandInfo("SET", entry.Key, entry.Db), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task SendNewFunctionsAsync(RdbReader reader, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> codes = reader.FunctionCodes;
        while (_functionsSent < codes.Count)
        {
            if (!_target.SupportsFunctions)
            {
                throw new RestoreException(RestoreFailure.Incompatible, "the file holds function libraries and the target predates Redis 7 functions");
            }

            RespCommandBuffer command = _sink.Begin(null);
            command.BeginCommand(4);
            command.Bulk("FUNCTION");
            command.Bulk("LOAD");
            command.Bulk("REPLACE");
            command.Bulk(System.Text.Encoding.UTF8.GetBytes(codes[_functionsSent]));
            string library = _functionsSent < reader.FunctionLibraries.Count ? reader.FunctionLibraries[_functionsSent] : "?";
            await _sink.CommitAsync(new RestoreCommandInfo($"FUNCTION LOAD of library '{library}'", null, Math.Max(_currentDb, 0)), cancellationToken).ConfigureAwait(false);
            _functionsSent++;
        }
    }

    private async Task SelectAsync(int db, CancellationToken cancellationToken)
    {
        RespCommandBuffer command = _sink.Begin(null);
        command.BeginCommand(2);
        command.Bulk("SELECT");
        command.Bulk(db);
        await _sink.CommitAsync(new RestoreCommandInfo($"SELECT {db}", null, db), cancellationToken).ConfigureAwait(false);
        _currentDb = db;
    }

    private async Task SimpleAsync(string name, CancellationToken cancellationToken) =>
        await SimpleAsync(name, null, cancellationToken).ConfigureAwait(false);

    private async Task SimpleAsync(string name, string? argument, CancellationToken cancellationToken)
    {
        RespCommandBuffer command = _sink.Begin(null);
        command.BeginCommand(argument is null ? 1 : 2);
        command.Bulk(name);
        if (argument is not null)
        {
            command.Bulk(argument);
        }

        await _sink.CommitAsync(new RestoreCommandInfo(argument is null ? name : name + " " + argument, null, Math.Max(_currentDb, 0)), cancellationToken).ConfigureAwait(false);
    }
}

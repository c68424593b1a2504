using System.Diagnostics;
using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using Dcsd.Redis.Protocol;

namespace Dcsd.Redis.Restore;

/// <summary>
/// The replication engine: dcsd serves the RDB as the target's master (<see cref="ReplicationMasterListener"/>), the
/// target loads it as a full sync (which replaces all its data and functions), then is promoted back with REPLICAOF NO
/// ONE. Its own standbys follow through chained replication; the engine waits until they are online and caught up.
/// Needs a non-cluster target whose RDB version is at least the file's (see <see cref="RestoreEngineSelector"/>).
/// </summary>
public static class ReplicationRestore
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    private const string DisklessLoad = "repl-diskless-load";

    private const string MasterAuth = "masterauth";

    public static Task<RestoreResult> RunAsync(Stream rdb, long length, RestoreTarget target, IProgress<double>? progress, CancellationToken cancellationToken) =>
        RunAsync(rdb, length, target, null, progress, cancellationToken);

    /// <summary>
    /// Restores <paramref name="rdb"/> into <paramref name="target"/> as its replication master. When the target does not
    /// connect to the listener within <see cref="ReplicationListenerOptions.LinkTimeout"/> (it cannot reach the advertised
    /// address) and the stream can seek, the file goes in through <see cref="CommandRestore"/> instead, and the result says
    /// so (<see cref="RestoreResult.Engine"/>, <see cref="RestoreResult.FallbackReason"/>).
    /// </summary>
    public static async Task<RestoreResult> RunAsync(
        Stream rdb, long length, RestoreTarget target, ReplicationListenerOptions? listenerOptions, IProgress<double>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rdb);
        ArgumentNullException.ThrowIfNull(target);
        listenerOptions ??= new ReplicationListenerOptions();
        var clock = Stopwatch.StartNew();
        long streamStart = rdb.CanSeek ? rdb.Position : 0;
        byte[] header = await ReadHeaderAsync(rdb, length, cancellationToken).ConfigureAwait(false);
        int fileVersion = RdbHeader.Version(header);

        using RedisNodeClient admin = await RedisNodeClient.ConnectAsync(target.Address, cancellationToken).ConfigureAwait(false);
        TargetServerInfo server = await TargetServerInfo.ReadAsync(admin, cancellationToken).ConfigureAwait(false);
        if (server.ClusterEnabled)
        {
            throw new RedisFailureException(RedisFailureKind.Incompatible, $"{target} runs in cluster mode, which refuses REPLICAOF: use the RESTORE engine");
        }

        if (server.RdbVersion < fileVersion)
        {
            throw new RedisFailureException(RedisFailureKind.Incompatible, $"{target} runs Redis {server.RedisVersion} (RDB {server.RdbVersion}) and cannot load an RDB {fileVersion} file: use the RESTORE engine");
        }

        ReplicationInfo before = ReplicationInfo.From(await admin.InfoAsync("replication", cancellationToken).ConfigureAwait(false));
        if (before.Role != ReplicationRole.Master)
        {
            throw new RedisFailureException(RedisFailureKind.Incompatible, $"{target} is a replica; restore into its master");
        }

        var changed = new ChangedSettings();
        ExceptionDispatchInfo? failure = null;
        bool targetNeverConnected = false;
        try
        {
            // A secret of this restore only: whoever else may reach the listener cannot take the file.
            string secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
            changed.MasterAuth = await SetConfigAsync(admin, MasterAuth, secret, cancellationToken).ConfigureAwait(false);
            string? listenerPassword = changed.MasterAuth is null ? target.Password : secret;
            await using var listener = new ReplicationMasterListener(rdb, length, header, listenerPassword, listenerOptions.ListenAddress, cancellationToken);
            string advertised = listenerOptions.AdvertisedHost();
            int advertisedPort = listenerOptions.AdvertisePort ?? listener.Port;
            try
            {
                changed.DisklessLoad = await PreferDisklessLoadAsync(admin, cancellationToken).ConfigureAwait(false);
                if (changed.DisklessLoad is not null)
                {
                    // on-empty-db loads from the link only into an empty target; the full sync would empty it anyway.
                    await admin.CallCheckedAsync(["FLUSHALL"], cancellationToken).ConfigureAwait(false);
                }

                await admin.CallCheckedAsync(["REPLICAOF", advertised, advertisedPort.ToString(CultureInfo.InvariantCulture)], cancellationToken).ConfigureAwait(false);
                await WaitForSyncAsync(admin, listener, length, listenerOptions.LinkTimeout, $"{advertised}:{advertisedPort}", progress, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                failure = ExceptionDispatchInfo.Capture(ex);
                targetNeverConnected = !listener.ReplicaConnected && ex is RedisFailureException { Kind: RedisFailureKind.Unreachable };
            }

            if (failure is null)
            {
                await admin.CallCheckedAsync(["REPLICAOF", "NO", "ONE"], cancellationToken).ConfigureAwait(false);
                await PutBackAsync(admin, changed, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (failure is null)
        {
            failure = ExceptionDispatchInfo.Capture(ex);
        }

        if (failure is not null)
        {
            // Once the listener is gone, so that a target loading from it sees the link close and stops: never leave it
            // following a vanished master, nor with dcsd's settings. The original failure is what counts.
            await CleanUpAfterFailureAsync(target, changed).ConfigureAwait(false);
            if (targetNeverConnected && rdb.CanSeek)
            {
                rdb.Position = streamStart;
                RestoreResult fallback = await CommandRestore.RunAsync(rdb, target, new CommandRestoreOptions { FlushTarget = true }, progress, cancellationToken).ConfigureAwait(false);
                return fallback with { Elapsed = clock.Elapsed, FallbackReason = failure.SourceException.Message };
            }

            failure.Throw();
        }

        // A replica keeps keys that were already expired in the file; as a master it now expires them on access.
        await ExpireStaleKeysAsync(admin, cancellationToken).ConfigureAwait(false);
        await WaitForStandbysAsync(admin, before.ConnectedReplicaCount, cancellationToken).ConfigureAwait(false);
        long keys = (await admin.InfoAsync("keyspace", cancellationToken).ConfigureAwait(false)).TotalKeys;
        progress?.Report(1.0);
        return new RestoreResult(RestoreEngineKind.Replication, keys, length, clock.Elapsed);
    }

    /// <summary>What dcsd changed on the target for the restore, to put back afterwards (whatever happened).</summary>
    private sealed class ChangedSettings
    {
        public string? DisklessLoad { get; set; }

        public string? MasterAuth { get; set; }
    }

    /// <summary>CONFIG SET <paramref name="name"/>; returns the value to put back, or null when the target refused CONFIG (as managed services do).</summary>
    private static async Task<string?> SetConfigAsync(RedisNodeClient admin, string name, string value, CancellationToken cancellationToken)
    {
        RespReply current = await admin.CallAsync(["CONFIG", "GET", name], cancellationToken).ConfigureAwait(false);
        if (current.IsError || current.Integer < 2)
        {
            return null;
        }

        RespReply set = await admin.CallAsync(["CONFIG", "SET", name, value], cancellationToken, "CONFIG SET " + name).ConfigureAwait(false);
        return set.IsError ? null : current.Second ?? string.Empty;
    }

    private static async Task PutBackAsync(RedisNodeClient connection, ChangedSettings changed, CancellationToken cancellationToken)
    {
        if (changed.DisklessLoad is not null)
        {
            await connection.CallCheckedAsync(["CONFIG", "SET", DisklessLoad, changed.DisklessLoad], cancellationToken).ConfigureAwait(false);
        }

        if (changed.MasterAuth is not null)
        {
            RespReply reply = await connection.CallAsync(["CONFIG", "SET", MasterAuth, changed.MasterAuth], cancellationToken, "CONFIG SET " + MasterAuth).ConfigureAwait(false);
            if (reply.IsError)
            {
                throw RedisErrors.Rejected(connection.EndPoint, "CONFIG SET " + MasterAuth, reply.Text);
            }
        }
    }

    /// <summary>
    /// Has the target load the file as it arrives rather than write it to disk, fsync it and read it back (about 0.1 s
    /// per 50 MB saved, and no disk space taken): when <c>repl-diskless-load</c> is <c>disabled</c> (the default) it
    /// becomes <c>on-empty-db</c> for the restore (the caller empties the target for it).
    /// <c>swapdb</c>, which holds the old data while loading, is never chosen. Returns the setting to put back, or null
    /// when nothing changed: already diskless, a Redis before 6.0, or CONFIG refused (as on managed services).
    /// </summary>
    private static async Task<string?> PreferDisklessLoadAsync(RedisNodeClient admin, CancellationToken cancellationToken)
    {
        RespReply current = await admin.CallAsync(["CONFIG", "GET", DisklessLoad], cancellationToken).ConfigureAwait(false);
        if (current.IsError || current.Second != "disabled")
        {
            return null;
        }

        RespReply set = await admin.CallAsync(["CONFIG", "SET", DisklessLoad, "on-empty-db"], cancellationToken).ConfigureAwait(false);
        return set.IsError ? null : current.Second;
    }

    /// <summary>
    /// Best-effort REPLICAOF NO ONE and the target's own settings back, on a fresh connection (the admin one may be what broke).
    /// </summary>
    private static async Task CleanUpAfterFailureAsync(RestoreTarget target, ChangedSettings changed)
    {
        try
        {
            using var connection = await RedisNodeClient.ConnectAsync(target.Address, CancellationToken.None).ConfigureAwait(false);
            long giveUpAt = Environment.TickCount64 + (long)target.IdleTimeout.TotalMilliseconds;
            RespReply promoted;

            // A target that was loading from the link answers LOADING until it has noticed the link is gone.
            while ((promoted = await connection.CallAsync(["REPLICAOF", "NO", "ONE"], CancellationToken.None).ConfigureAwait(false)).IsError
                && promoted.Text?.StartsWith("LOADING", StringComparison.Ordinal) == true
                && Environment.TickCount64 < giveUpAt)
            {
                await Task.Delay(PollInterval, CancellationToken.None).ConfigureAwait(false);
            }

            await PutBackAsync(connection, changed, CancellationToken.None).ConfigureAwait(false);
        }
        catch (RedisFailureException)
        {
            // The target is unreachable too; the caller reports the original failure.
        }
    }

    private static async Task<byte[]> ReadHeaderAsync(Stream rdb, long length, CancellationToken cancellationToken)
    {
        if (length < RdbHeader.Length)
        {
            throw new RedisFailureException(RedisFailureKind.Corrupt, $"an RDB of {length} bytes is too short");
        }

        var header = new byte[RdbHeader.Length];
        await rdb.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
        return header;
    }

    /// <summary>
    /// Polls the target until it is linked to the listener, has the whole file, and finished loading it. A target that has
    /// not even connected to the listener after <paramref name="linkTimeout"/> cannot reach it: Unreachable.
    /// </summary>
    private static async Task WaitForSyncAsync(
        RedisNodeClient admin, ReplicationMasterListener listener, long length, TimeSpan linkTimeout, string advertised, IProgress<double>? progress, CancellationToken cancellationToken)
    {
        long started = Environment.TickCount64;
        long lastProgressMark = -1;
        long lastProgressAt = started;
        while (true)
        {
            if (listener.Fault is { } fault)
            {
                throw new RedisFailureException(fault.Kind, fault.Message, fault);
            }

            InfoSection replication = await admin.InfoAsync("replication", cancellationToken).ConfigureAwait(false);
            InfoSection persistence = await admin.InfoAsync("persistence", cancellationToken).ConfigureAwait(false);
            bool loading = persistence.IsSet("loading");
            long loadedBytes = persistence.GetLong("loading_loaded_bytes") ?? 0;
            if (listener.TransferComplete
                && replication.Get("master_link_status") == "up"
                && replication.Get("master_sync_in_progress") == "0"
                && !loading)
            {
                return;
            }

            if (!listener.ReplicaConnected && TimeSpan.FromMilliseconds(Environment.TickCount64 - started) > linkTimeout)
            {
                throw new RedisFailureException(RedisFailureKind.Unreachable, $"{admin.EndPoint} did not connect to dcsd's replication listener at {advertised} within {RedisErrors.Duration(linkTimeout)}");
            }

            long sent = listener.BytesSent;
            // Half for the transfer, half for the load; 1.0 only once the target is promoted.
            progress?.Report(Math.Clamp((0.5 * sent / length) + (loading ? 0.5 * loadedBytes / length : 0), 0, 0.99));

            // Progress is bytes on the wire or bytes loaded; a target that does neither for the idle timeout is stuck.
            long mark = sent + loadedBytes + (listener.TransferComplete ? 1 : 0);
            if (mark != lastProgressMark)
            {
                lastProgressMark = mark;
                lastProgressAt = Environment.TickCount64;
            }
            else if (TimeSpan.FromMilliseconds(Environment.TickCount64 - lastProgressAt) > admin.Address.ReplyTimeout)
            {
                throw new RedisFailureException(RedisFailureKind.Timeout, $"{admin.EndPoint} made no progress with the full sync for {RedisErrors.Duration(admin.Address.ReplyTimeout)} (link {replication.Get("master_link_status") ?? "?"}, {sent} of {length} bytes sent)");
            }

            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Touches every key of each database that has keys with a TTL (SCAN deletes the expired ones it meets), so DBSIZE
    /// and the standbys agree with the file's live keys right away instead of after the active expire cycle.
    /// </summary>
    private static async Task ExpireStaleKeysAsync(RedisNodeClient admin, CancellationToken cancellationToken)
    {
        InfoSection keyspace = await admin.InfoAsync("keyspace", cancellationToken).ConfigureAwait(false);
        foreach ((int db, _, long expires) in keyspace.Keyspace)
        {
            if (expires == 0)
            {
                continue;
            }

            await admin.CallCheckedAsync(["SELECT", db.ToString(CultureInfo.InvariantCulture)], cancellationToken).ConfigureAwait(false);
            string cursor = "0";
            do
            {
                cursor = await ScanAsync(admin, cursor, cancellationToken).ConfigureAwait(false);
            }
            while (cursor != "0");
        }
    }

    /// <summary>One SCAN step; returns the next cursor (the reply reader keeps an array's first element and drops the keys).</summary>
    private static async Task<string> ScanAsync(RedisNodeClient admin, string cursor, CancellationToken cancellationToken)
    {
        RespReply reply = await admin.CallCheckedAsync(["SCAN", cursor, "COUNT", "1000"], cancellationToken).ConfigureAwait(false);
        return reply.Text ?? throw new RedisFailureException(RedisFailureKind.ProtocolViolation, $"{admin.EndPoint} sent a SCAN reply without a cursor");
    }

    /// <summary>Waits until at least the standbys the target had before are online and acknowledged its whole stream.</summary>
    private static async Task WaitForStandbysAsync(RedisNodeClient admin, int expectedStandbys, CancellationToken cancellationToken)
    {
        if (expectedStandbys == 0)
        {
            return;
        }

        long started = Environment.TickCount64;
        while (true)
        {
            ReplicationInfo info = ReplicationInfo.From(await admin.InfoAsync("replication", cancellationToken).ConfigureAwait(false));
            int caughtUp = info.ConnectedReplicas.Count(r => r.State == "online" && r.Offset >= info.MasterReplicationOffset);
            if (caughtUp >= expectedStandbys)
            {
                return;
            }

            if (TimeSpan.FromMilliseconds(Environment.TickCount64 - started) > admin.Address.ReplyTimeout)
            {
                throw new RedisFailureException(RedisFailureKind.Timeout, $"the data is restored on {admin.EndPoint}, but only {caughtUp} of its {expectedStandbys} standbys caught up within {admin.Address.ReplyTimeout}");
            }

            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>The 9-byte RDB header: "REDIS" + 4 decimal digits (or "VALKEY" + 3 in Valkey 9 files).</summary>
internal static class RdbHeader
{
    public const int Length = 9;

    public static int Version(ReadOnlySpan<byte> header)
    {
        int digits = header.StartsWith("REDIS"u8) ? 4 : header.StartsWith("VALKEY"u8) ? 3 : 0;
        if (digits == 0 || !int.TryParse(header[^digits..], NumberStyles.None, CultureInfo.InvariantCulture, out int version))
        {
            throw new RedisFailureException(RedisFailureKind.Corrupt, "the file does not start with an RDB header (REDIS0xxx)");
        }

        return version;
    }
}

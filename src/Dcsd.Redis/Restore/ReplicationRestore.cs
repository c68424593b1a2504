using System.Diagnostics;
using System.Globalization;
using System.Runtime.ExceptionServices;
using Dcsd.Redis.Replication;

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

    public static async Task<RestoreResult> RunAsync(Stream rdb, long length, RestoreTarget target, IProgress<double>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rdb);
        ArgumentNullException.ThrowIfNull(target);
        var clock = Stopwatch.StartNew();
        byte[] header = await ReadHeaderAsync(rdb, length, cancellationToken).ConfigureAwait(false);
        int fileVersion = RdbHeader.Version(header);

        using TargetConnection admin = await TargetConnection.ConnectAsync(target, cancellationToken).ConfigureAwait(false);
        TargetServerInfo server = await TargetServerInfo.ReadAsync(admin, cancellationToken).ConfigureAwait(false);
        if (server.ClusterEnabled)
        {
            throw new RestoreException(RestoreFailure.Incompatible, $"{target} runs in cluster mode, which refuses REPLICAOF: use the RESTORE engine");
        }

        if (server.RdbVersion < fileVersion)
        {
            throw new RestoreException(RestoreFailure.Incompatible, $"{target} runs Redis {server.RedisVersion} (RDB {server.RdbVersion}) and cannot load an RDB {fileVersion} file: use the RESTORE engine");
        }

        ReplicationInfo before = ReplicationInfo.Parse((await admin.CallCheckedAsync(["INFO", "replication"], cancellationToken).ConfigureAwait(false)).Text ?? string.Empty);
        if (before.Role != ReplicationRole.Master)
        {
            throw new RestoreException(RestoreFailure.Incompatible, $"{target} is a replica; restore into its master");
        }

        string? diskLoadSetting = null;
        ExceptionDispatchInfo? failure = null;
        await using (var listener = new ReplicationMasterListener(rdb, length, header, target.Password, cancellationToken))
        {
            try
            {
                diskLoadSetting = await PreferDisklessLoadAsync(admin, cancellationToken).ConfigureAwait(false);
                if (diskLoadSetting is not null)
                {
                    // on-empty-db loads from the link only into an empty target; the full sync would empty it anyway.
                    await admin.CallCheckedAsync(["FLUSHALL"], cancellationToken).ConfigureAwait(false);
                }

                await admin.CallCheckedAsync(["REPLICAOF", "127.0.0.1", listener.Port.ToString(CultureInfo.InvariantCulture)], cancellationToken).ConfigureAwait(false);
                await WaitForSyncAsync(admin, listener, length, progress, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                failure = ExceptionDispatchInfo.Capture(ex);
            }

            if (failure is null)
            {
                await admin.CallCheckedAsync(["REPLICAOF", "NO", "ONE"], cancellationToken).ConfigureAwait(false);
                if (diskLoadSetting is not null)
                {
                    await admin.CallCheckedAsync(["CONFIG", "SET", DisklessLoad, diskLoadSetting], cancellationToken).ConfigureAwait(false);
                }
            }
        }

        if (failure is not null)
        {
            // Once the listener is gone, so that a target loading from it sees the link close and stops: never leave it
            // following a vanished master, nor with dcsd's setting. The original failure is what counts.
            await CleanUpAfterFailureAsync(target, diskLoadSetting).ConfigureAwait(false);
            failure.Throw();
        }

        // A replica keeps keys that were already expired in the file; as a master it now expires them on access.
        await ExpireStaleKeysAsync(admin, cancellationToken).ConfigureAwait(false);
        await WaitForStandbysAsync(admin, before.ConnectedReplicaCount, cancellationToken).ConfigureAwait(false);
        long keys = InfoFields.Keyspace((await admin.CallCheckedAsync(["INFO", "keyspace"], cancellationToken).ConfigureAwait(false)).Text).Sum(db => db.Keys);
        progress?.Report(1.0);
        return new RestoreResult(RestoreEngineKind.Replication, keys, length, clock.Elapsed);
    }

    /// <summary>
    /// Has the target load the file as it arrives rather than write it to disk, fsync it and read it back (about 0.1 s
    /// per 50 MB saved, and no disk space taken): when <c>repl-diskless-load</c> is <c>disabled</c> (the default) it
    /// becomes <c>on-empty-db</c> for the restore (the caller empties the target for it).
    /// <c>swapdb</c>, which holds the old data while loading, is never chosen. Returns the setting to put back, or null
    /// when nothing changed: already diskless, a Redis before 6.0, or CONFIG refused (as on managed services).
    /// </summary>
    private static async Task<string?> PreferDisklessLoadAsync(TargetConnection admin, CancellationToken cancellationToken)
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
    /// Best-effort REPLICAOF NO ONE and the target's own diskless-load setting back, on a fresh connection (the admin one
    /// may be what broke).
    /// </summary>
    private static async Task CleanUpAfterFailureAsync(RestoreTarget target, string? diskLoadSetting)
    {
        try
        {
            using var connection = await TargetConnection.ConnectAsync(target, CancellationToken.None).ConfigureAwait(false);
            long giveUpAt = Environment.TickCount64 + (long)target.IdleTimeout.TotalMilliseconds;
            RespReply promoted;

            // A target that was loading from the link answers LOADING until it has noticed the link is gone.
            while ((promoted = await connection.CallAsync(["REPLICAOF", "NO", "ONE"], CancellationToken.None).ConfigureAwait(false)).IsError
                && promoted.Text?.StartsWith("LOADING", StringComparison.Ordinal) == true
                && Environment.TickCount64 < giveUpAt)
            {
                await Task.Delay(PollInterval, CancellationToken.None).ConfigureAwait(false);
            }

            if (diskLoadSetting is not null)
            {
                await connection.CallCheckedAsync(["CONFIG", "SET", DisklessLoad, diskLoadSetting], CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (RestoreException)
        {
            // The target is unreachable too; the caller reports the original failure.
        }
    }

    private static async Task<byte[]> ReadHeaderAsync(Stream rdb, long length, CancellationToken cancellationToken)
    {
        if (length < RdbHeader.Length)
        {
            throw new RestoreException(RestoreFailure.CorruptFile, $"an RDB of {length} bytes is too short");
        }

        var header = new byte[RdbHeader.Length];
        await rdb.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
        return header;
    }

    /// <summary>Polls the target until it is linked to the listener, has the whole file, and finished loading it.</summary>
    private static async Task WaitForSyncAsync(TargetConnection admin, ReplicationMasterListener listener, long length, IProgress<double>? progress, CancellationToken cancellationToken)
    {
        long lastProgressMark = -1;
        long lastProgressAt = Environment.TickCount64;
        while (true)
        {
            if (listener.Fault is { } fault)
            {
                throw new RestoreException(fault.Reason, fault.Message, fault);
            }

            string replication = (await admin.CallCheckedAsync(["INFO", "replication"], cancellationToken).ConfigureAwait(false)).Text ?? string.Empty;
            string persistence = (await admin.CallCheckedAsync(["INFO", "persistence"], cancellationToken).ConfigureAwait(false)).Text ?? string.Empty;
            bool loading = InfoFields.Get(persistence, "loading") == "1";
            long loadedBytes = InfoFields.GetLong(persistence, "loading_loaded_bytes");
            if (listener.TransferComplete
                && InfoFields.Get(replication, "master_link_status") == "up"
                && InfoFields.Get(replication, "master_sync_in_progress") == "0"
                && InfoFields.GetLong(replication, "master_port") == listener.Port
                && !loading)
            {
                return;
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
            else if (TimeSpan.FromMilliseconds(Environment.TickCount64 - lastProgressAt) > admin.Target.IdleTimeout)
            {
                throw new RestoreException(RestoreFailure.Timeout, $"{admin.Target} made no progress with the full sync for {admin.Target.IdleTimeout} (link {InfoFields.Get(replication, "master_link_status") ?? "?"}, {sent} of {length} bytes sent)");
            }

            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Touches every key of each database that has keys with a TTL (SCAN deletes the expired ones it meets), so DBSIZE
    /// and the standbys agree with the file's live keys right away instead of after the active expire cycle.
    /// </summary>
    private static async Task ExpireStaleKeysAsync(TargetConnection admin, CancellationToken cancellationToken)
    {
        RespReply keyspace = await admin.CallCheckedAsync(["INFO", "keyspace"], cancellationToken).ConfigureAwait(false);
        foreach ((int db, _, long expires) in InfoFields.Keyspace(keyspace.Text))
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
    private static async Task<string> ScanAsync(TargetConnection admin, string cursor, CancellationToken cancellationToken)
    {
        RespReply reply = await admin.CallCheckedAsync(["SCAN", cursor, "COUNT", "1000"], cancellationToken).ConfigureAwait(false);
        return reply.Text ?? throw new RestoreException(RestoreFailure.ProtocolViolation, $"{admin.Target} sent a SCAN reply without a cursor");
    }

    /// <summary>Waits until at least the standbys the target had before are online and acknowledged its whole stream.</summary>
    private static async Task WaitForStandbysAsync(TargetConnection admin, int expectedStandbys, CancellationToken cancellationToken)
    {
        if (expectedStandbys == 0)
        {
            return;
        }

        long started = Environment.TickCount64;
        while (true)
        {
            ReplicationInfo info = ReplicationInfo.Parse((await admin.CallCheckedAsync(["INFO", "replication"], cancellationToken).ConfigureAwait(false)).Text ?? string.Empty);
            int caughtUp = info.ConnectedReplicas.Count(r => r.State == "online" && r.Offset >= info.MasterReplicationOffset);
            if (caughtUp >= expectedStandbys)
            {
                return;
            }

            if (TimeSpan.FromMilliseconds(Environment.TickCount64 - started) > admin.Target.IdleTimeout)
            {
                throw new RestoreException(RestoreFailure.Timeout, $"the data is restored on {admin.Target}, but only {caughtUp} of its {expectedStandbys} standbys caught up within {admin.Target.IdleTimeout}");
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
            throw new RestoreException(RestoreFailure.CorruptFile, "the file does not start with an RDB header (REDIS0xxx)");
        }

        return version;
    }
}

using System.Diagnostics;
using Dcsd.Rdb;
using Dcsd.Redis.Protocol;

namespace Dcsd.Redis.Restore;

/// <summary>
/// The RESTORE engine: streams an RDB through <see cref="RdbReader"/> and writes it to the target as pipelined RESTORE
/// commands (native commands for big values and for types the target's RDB version cannot read). The target is
/// emptied first (FLUSHALL, FUNCTION FLUSH), so afterwards it holds exactly the file's live keys and functions.
/// Works against any Redis ≥ 5.0 (ABSTTL); memory stays bounded by the big-value threshold and the in-flight window.
/// </summary>
public static class CommandRestore
{
    public static async Task<RestoreResult> RunAsync(Stream rdb, RestoreTarget target, CommandRestoreOptions? options, IProgress<double>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rdb);
        ArgumentNullException.ThrowIfNull(target);
        options ??= new CommandRestoreOptions();
        var clock = Stopwatch.StartNew();
        using RedisNodeClient connection = await RedisNodeClient.ConnectAsync(target.Address, cancellationToken).ConfigureAwait(false);
        TargetServerInfo server = await TargetServerInfo.ReadAsync(connection, cancellationToken).ConfigureAwait(false);
        if (!server.SupportsAbsoluteTtl)
        {
            throw new RedisFailureException(RedisFailureKind.Incompatible, $"{target} runs Redis {server.RedisVersion}; RESTORE … ABSTTL needs 5.0 or later");
        }

        long? length = rdb.CanSeek ? rdb.Length - rdb.Position : null;
        long start = rdb.CanSeek ? rdb.Position : 0;
        using var pipeline = new TargetPipeline(connection, options.MaxBytesInFlight, options.FlushBytes, cancellationToken) { ClusterEnabled = server.ClusterEnabled };
        using var writer = new RdbRestoreWriter(pipeline, new RestoreCapabilities(server.RdbVersion, server.SupportsFunctions), options);
        using var reader = new RdbReader(rdb);
        Action<long>? report = progress is null || length is not > 0 ? null : offset => progress.Report(Math.Min(1.0, (double)offset / length.Value));
        RestoreWriteSummary summary;
        try
        {
            summary = await writer.WriteAsync(reader, report, cancellationToken).ConfigureAwait(false);
        }
        catch (RdbFormatException ex)
        {
            throw new RedisFailureException(RedisFailureKind.Corrupt, $"the RDB is not valid: {ex.Message}", ex);
        }

        return new RestoreResult(RestoreEngineKind.RestoreCommands, summary.Keys, rdb.CanSeek ? rdb.Position - start : reader.Offset, clock.Elapsed);
    }

    /// <summary>
    /// Writes the commands <see cref="RunAsync"/> would send to a target reading RDB <paramref name="targetRdbVersion"/>
    /// (FLUSHALL, FUNCTION FLUSH/LOAD, SELECT, RESTORE … ABSTTL, native batches) as RESP to <paramref name="output"/>,
    /// e.g. for <c>redis-cli --pipe</c>. Returns the number of keys written.
    /// </summary>
    public static async Task<long> WriteRespAsync(Stream rdb, Stream output, int targetRdbVersion, CommandRestoreOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rdb);
        ArgumentNullException.ThrowIfNull(output);
        options ??= new CommandRestoreOptions();
        using var sink = new RespStreamSink(output, options.FlushBytes);
        using var writer = new RdbRestoreWriter(sink, new RestoreCapabilities(targetRdbVersion, SupportsFunctions: targetRdbVersion >= 10), options);
        using var reader = new RdbReader(rdb);
        try
        {
            RestoreWriteSummary summary = await writer.WriteAsync(reader, null, cancellationToken).ConfigureAwait(false);
            return summary.Keys;
        }
        catch (RdbFormatException ex)
        {
            throw new RedisFailureException(RedisFailureKind.Corrupt, $"the RDB is not valid: {ex.Message}", ex);
        }
    }
}

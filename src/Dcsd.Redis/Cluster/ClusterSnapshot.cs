using System.Diagnostics;
using Dcsd.Rdb;
using Dcsd.Redis.Protocol;
using Dcsd.Redis.Replication;
using Dcsd.Redis.Topology;

namespace Dcsd.Redis.Cluster;

/// <summary>One shard's part of a cluster snapshot.</summary>
/// <param name="Source">The node the RDB was fetched from.</param>
/// <param name="Slots">The slots the shard owned at discovery: every key of the file hashes into them.</param>
/// <param name="ReplicationId">From the source's +FULLRESYNC: the replication history the file belongs to.</param>
/// <param name="ReplicationOffset">From +FULLRESYNC: the offset of that history the file corresponds to.</param>
public sealed record ShardSnapshot(ShardInfo Shard, NodeInfo Source, IReadOnlyList<SlotRange> Slots, string? ReplicationId, long? ReplicationOffset, SnapshotResult Result);

/// <summary>All shards' files of one cluster snapshot.</summary>
/// <param name="ConsistentCut">
/// With <see cref="ClusterSnapshotOptions.WritePause"/>: true when every file corresponds exactly to the masters' offsets
/// during the pause (so together they are one point in time); false when a fork happened after the pause ran out. Null without a pause.
/// </param>
/// <param name="WritesPaused">How long writes were paused on the masters (zero without a pause).</param>
public sealed record ClusterSnapshotResult(IReadOnlyList<ShardSnapshot> Shards, bool? ConsistentCut, TimeSpan WritesPaused, TimeSpan Elapsed);

/// <summary>Tuning of <see cref="ClusterSnapshot"/>.</summary>
public sealed class ClusterSnapshotOptions
{
    /// <summary>A replica trailing its master by at most this many bytes is snapshotted instead of the master.</summary>
    public long MaxReplicaLag { get; init; } = Deployment.DefaultMaxReplicaLag;

    /// <summary>
    /// When set, a consistent cut: <c>CLIENT PAUSE &lt;ms&gt; WRITE</c> on every master, wait until each chosen replica has
    /// the master's offset, start every shard's fetch, and <c>CLIENT UNPAUSE</c> as soon as every source has forked (its
    /// first RDB bytes arrived) or the pause runs out. Writes (not reads) wait for that long: on loopback with diskless
    /// sync and no delay this is tens of milliseconds per fork; a source with <c>repl-diskless-sync-delay</c> > 0 needs a
    /// pause longer than that delay or the cut is not consistent (<see cref="ClusterSnapshotResult.ConsistentCut"/> says so).
    /// All shards are then fetched at once, whatever maxParallel says.
    /// </summary>
    public TimeSpan? WritePause { get; init; }

    /// <summary>Timeouts of each fetch; host, port and password are filled in per shard.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan TotalTimeout { get; init; } = TimeSpan.FromMinutes(30);
}

/// <summary>A cluster snapshot failed because one shard's fetch failed; the other fetches were cancelled.</summary>
public sealed class ClusterSnapshotException : Exception
{
    public ClusterSnapshotException(ShardInfo shard, NodeInfo source, string message, Exception innerException)
        : base(message, innerException)
    {
        Shard = shard;
        SourceNode = source;
    }

    public ShardInfo Shard { get; }

    public NodeInfo SourceNode { get; }

    /// <summary>The fetch's failure, or null when it was something else (the destination stream, a pause command).</summary>
    public RedisFailureKind? Kind => (InnerException as RedisFailureException)?.Kind;
}

/// <summary>Snapshots every shard of a deployment over the replication protocol, one RDB per shard.</summary>
public static class ClusterSnapshot
{
    public static Task<ClusterSnapshotResult> TakeAsync(Deployment deployment, string? password, Func<ShardInfo, Stream> openDestination, int maxParallel, CancellationToken cancellationToken) =>
        TakeAsync(deployment, password, openDestination, maxParallel, null, cancellationToken);

    /// <summary>
    /// Fetches one RDB per shard from <see cref="Deployment.ChooseSnapshotSources"/>'s node, at most <paramref name="maxParallel"/> at a
    /// time, each into the stream <paramref name="openDestination"/> returns for its shard (disposed by this call when the fetch ends).
    /// When one shard fails, the others are cancelled and a <see cref="ClusterSnapshotException"/> names the shard: no partial
    /// result is returned, and the caller discards whatever the destinations hold.
    /// </summary>
    public static Task<ClusterSnapshotResult> TakeAsync(
        Deployment deployment,
        string? password,
        Func<ShardInfo, Stream> openDestination,
        int maxParallel,
        ClusterSnapshotOptions? options,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        ArgumentNullException.ThrowIfNull(openDestination);
        options ??= new ClusterSnapshotOptions();
        return TakeAsync(
            deployment.ChooseSnapshotSources(options.MaxReplicaLag),
            password,
            async (choice, source, bytesReceived, token) =>
            {
                Stream destination = openDestination(choice.Shard);
                await using (destination.ConfigureAwait(false))
                {
                    return await ReplicationSnapshotClient.FetchAsync(source, destination, bytesReceived, token).ConfigureAwait(false);
                }
            },
            maxParallel,
            options,
            cancellationToken);
    }

    /// <summary>
    /// Takes one snapshot per chosen source through <paramref name="fetch"/> (which decides where the bytes go and may verify
    /// them on the way), with the same bound, failure and consistent-cut rules as the overload above. <paramref name="fetch"/>
    /// must pass its progress argument on to the transfer: the first bytes received are how a consistent cut learns the
    /// source has forked.
    /// </summary>
    public static async Task<ClusterSnapshotResult> TakeAsync(
        IReadOnlyList<SnapshotSourceChoice> choices,
        string? password,
        ShardSnapshotFetch fetch,
        int maxParallel,
        ClusterSnapshotOptions? options,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(choices);
        ArgumentNullException.ThrowIfNull(fetch);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxParallel, 1);
        options ??= new ClusterSnapshotOptions();
        var clock = Stopwatch.StartNew();
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        WriteCut? cut = null;
        if (options.WritePause is { } pause)
        {
            maxParallel = choices.Count;
            cut = await WriteCut.PauseAsync(choices, password, pause, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            using var gate = new SemaphoreSlim(maxParallel);
            ClusterSnapshotException? firstFailure = null;
            var fetches = choices.Select(async choice =>
            {
                await gate.WaitAsync(abort.Token).ConfigureAwait(false);
                try
                {
                    return await FetchShardAsync(choice, password, fetch, options, cut, abort.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (!(ex is OperationCanceledException && abort.IsCancellationRequested))
                {
                    var failure = new ClusterSnapshotException(choice.Shard, choice.Node, $"snapshot of {choice.Shard} from {choice.Node} failed: {(ex is RedisFailureException or RdbFormatException ? ex.Message : "the backup store could not take it (the details are in the dcsd log)")}", ex);
                    Interlocked.CompareExchange(ref firstFailure, failure, null);
                    await abort.CancelAsync().ConfigureAwait(false);
                    throw failure;
                }
                finally
                {
                    gate.Release();
                }
            }).ToList();

            try
            {
                await Task.WhenAll(fetches).ConfigureAwait(false);
            }
            catch (Exception) when (firstFailure is not null && !cancellationToken.IsCancellationRequested)
            {
                throw firstFailure;
            }

            var shards = fetches.Select(fetch => fetch.Result).ToList();
            bool? consistent = cut?.IsConsistent(shards);
            return new ClusterSnapshotResult(shards, consistent, cut?.Paused ?? TimeSpan.Zero, clock.Elapsed);
        }
        finally
        {
            if (cut is not null)
            {
                await cut.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task<ShardSnapshot> FetchShardAsync(SnapshotSourceChoice choice, string? password, ShardSnapshotFetch fetch, ClusterSnapshotOptions options, WriteCut? cut, CancellationToken cancellationToken)
    {
        var source = new SnapshotSource
        {
            Host = choice.Node.Host,
            Port = choice.Node.Port,
            Password = password,
            ConnectTimeout = options.ConnectTimeout,
            IdleTimeout = options.IdleTimeout,
            TotalTimeout = options.TotalTimeout,
        };
        SnapshotResult result;
        try
        {
            result = await fetch(choice, source, cut?.ForkObserver(choice.Shard.Index), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // A failed fetch must not hold the other shards' writes paused until the timeout.
            cut?.ForkObserver(choice.Shard.Index).Report(0);
        }

        return new ShardSnapshot(choice.Shard, choice.Node, choice.Shard.Slots, result.ReplicationId, result.ReplicationOffset, result);
    }
}

/// <summary>Takes one shard's snapshot from <paramref name="source"/>, reporting bytes received to <paramref name="bytesReceived"/>.</summary>
public delegate Task<SnapshotResult> ShardSnapshotFetch(SnapshotSourceChoice choice, SnapshotSource source, IProgress<long>? bytesReceived, CancellationToken cancellationToken);

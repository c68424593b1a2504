using System.Diagnostics;
using System.Threading.Channels;
using Dcsd.Redis.Protocol;

namespace Dcsd.Redis.Replication;

/// <summary>
/// Fetches an RDB snapshot the way a replica would (like <c>redis-cli --rdb</c>): full resync over the
/// replication protocol, streaming only the RDB bytes into a caller-supplied stream while verifying them.
/// </summary>
public static class ReplicationSnapshotClient
{
    // Large reads keep syscalls and per-chunk overhead negligible next to hashing.
    private const int ChunkSize = 1024 * 1024;

    // Up to 32 MiB may wait for the destination, so a short disk stall never stops us reading the socket.
    private const int MaxChunksInFlight = 32;

    /// <summary>
    /// Streams the RDB, and only the RDB (never the diskless end marker, never keep-alive newlines), into
    /// <paramref name="destination"/>, then flushes it. Throws <see cref="RedisFailureException"/> for every failure on
    /// the Redis side, including a short or corrupt file; OperationCanceledException when <paramref name="cancellationToken"/>
    /// fires; errors of <paramref name="destination"/> itself propagate unchanged. On failure the destination holds
    /// a partial file that the caller must discard.
    /// </summary>
    /// <param name="bytesReceived">Reports the number of RDB bytes written so far, once per received chunk (up to 1 MiB).</param>
    public static async Task<SnapshotResult> FetchAsync(
        SnapshotSource source,
        Stream destination,
        IProgress<long>? bytesReceived = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        var stopwatch = Stopwatch.StartNew();
        using var totalTimeout = new CancellationTokenSource(source.TotalTimeout);

        // abort stops everything: the caller's cancellation, the total timeout, or one side of the pipeline failing.
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, totalTimeout.Token);
        try
        {
            var pool = new ChunkBufferPool(ChunkSize, MaxChunksInFlight);

            // Unbounded is safe: the pool's fixed budget already bounds how many chunks can be queued.
            var chunks = Channel.CreateUnbounded<PayloadChunk>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

            // The socket side blocks a dedicated thread (see ReplicationConnection for why); the destination side
            // stays asynchronous on the thread pool, where it also hashes, in parallel with receiving.
            Task<PayloadHeader> receiving = Task.Factory.StartNew(
                () =>
                {
                    using var connection = ReplicationConnection.Connect(source, abort.Token);
                    PayloadHeader header = ReplicationHandshake.Run(connection, source);
                    new PayloadReceiver(connection, header, pool, chunks.Writer).Run(abort.Token);
                    return header;
                },
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default);
            var writer = new PayloadWriter(chunks.Reader, pool, destination, bytesReceived);
            (PayloadHeader header, WrittenPayload written) = await TransferAsync(receiving, writer, chunks.Writer, abort).ConfigureAwait(false);
            return new SnapshotResult(
                written.Bytes,
                written.RdbVersion,
                written.Sha256Hex,
                written.ChecksumPresent,
                header.Mode,
                header.ReplicationId,
                header.ReplicationOffset,
                stopwatch.Elapsed);
        }
        catch (OperationCanceledException ex) when (totalTimeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new RedisFailureException(RedisFailureKind.Timeout, $"fetching the snapshot from {source} did not finish within {RedisErrors.Duration(source.TotalTimeout)}", ex);
        }
    }

    private static async Task<(PayloadHeader Header, WrittenPayload Written)> TransferAsync(
        Task<PayloadHeader> receiving,
        PayloadWriter writer,
        ChannelWriter<PayloadChunk> chunks,
        CancellationTokenSource abort)
    {
        Task<WrittenPayload> writing = Task.Run(
            async () =>
            {
                try
                {
                    return await writer.RunAsync(abort.Token).ConfigureAwait(false);
                }
                catch
                {
                    // A corrupt header or a failing disk must also stop the socket side at once.
                    await abort.CancelAsync().ConfigureAwait(false);
                    throw;
                }
            },
            CancellationToken.None);

        PayloadHeader header;
        try
        {
            header = await receiving.ConfigureAwait(false);
        }
        catch (Exception receiveFailure)
        {
            chunks.TryComplete();
            await abort.CancelAsync().ConfigureAwait(false);
            try
            {
                await writing.ConfigureAwait(false);
            }
            catch (Exception) when (receiveFailure is not OperationCanceledException)
            {
                // The receiving side failed first (e.g. the connection dropped); its error is the cause.
                // When it was merely cancelled because the writer failed, the writer's error propagates instead.
            }

            throw;
        }

        chunks.Complete();
        return (header, await writing.ConfigureAwait(false));
    }
}

using System.IO.Pipelines;
using Dcsd.Rdb;
using Dcsd.Redis.Replication;

namespace Dcsd.Redis.Snapshot;

/// <summary>
/// Takes a snapshot over the replication protocol into <c>destination</c> while the RDB engine parses the same bytes
/// on another core: the result is both a file and the proof that it is a complete, checksummed RDB.
/// </summary>
public static class VerifiedSnapshot
{
    // Bounds how far the transfer may run ahead of the parser; the parser is much faster than any transfer.
    private const long PipeBufferBytes = 64L << 20;

    public static async Task<(SnapshotResult Snapshot, RdbCensus Census)> TakeAsync(
        SnapshotSource source, Stream destination, IProgress<long>? bytesReceived, CancellationToken cancellationToken)
    {
        var pipe = new Pipe(new PipeOptions(
            pauseWriterThreshold: PipeBufferBytes,
            resumeWriterThreshold: PipeBufferBytes / 2,
            minimumSegmentSize: 256 * 1024,
            useSynchronizationContext: false));
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var parsed = new TaskCompletionSource<RdbCensus>(TaskCreationOptions.RunContinuationsAsynchronously);
        var parser = new Thread(() =>
        {
            BackgroundThreadPriority.LowerCurrentThread();
            try
            {
                using var input = pipe.Reader.AsStream();
                parsed.SetResult(RdbVerifier.Verify(input, null, linked.Token));
            }
            catch (Exception ex)
            {
                parsed.SetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = "dcsd backup parse",
        };
        parser.Start();
        var verification = parsed.Task;

        // A defect found mid-stream makes the rest of the transfer pointless: stop it.
        _ = verification.ContinueWith(_ => linked.Cancel(), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

        SnapshotResult snapshot;
        try
        {
            await using var tee = new TeeStream(destination, pipe.Writer);
            snapshot = await ReplicationSnapshotClient.FetchAsync(source, tee, bytesReceived, linked.Token).ConfigureAwait(false);
            await pipe.Writer.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await pipe.Writer.CompleteAsync(ex).ConfigureAwait(false);
            await linked.CancelAsync().ConfigureAwait(false);
            try
            {
                await verification.ConfigureAwait(false);
            }
            catch (RdbFormatException) when (!cancellationToken.IsCancellationRequested)
            {
                // The parser saw the defect first and stopped the transfer: the defect is the reason.
                throw;
            }
            catch (Exception)
            {
                // Otherwise the transfer's own error is the one that explains the failure.
            }

            throw;
        }

        var census = await verification.ConfigureAwait(false);
        return (snapshot, census);
    }
}

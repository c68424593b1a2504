using System.Threading.Channels;

namespace Dcsd.Redis.Replication;

/// <summary>
/// Reads the RDB payload off the socket into pooled chunks and stops exactly at its end: after the announced
/// length in counted mode, right before the 40-byte marker in diskless mode. Does no per-byte work except
/// the vectorized marker search.
/// </summary>
internal sealed class PayloadReceiver
{
    private readonly ReplicationConnection _connection;
    private readonly PayloadHeader _header;
    private readonly ChunkBufferPool _pool;
    private readonly ChannelWriter<PayloadChunk> _output;

    public PayloadReceiver(ReplicationConnection connection, PayloadHeader header, ChunkBufferPool pool, ChannelWriter<PayloadChunk> output)
    {
        _connection = connection;
        _header = header;
        _pool = pool;
        _output = output;
    }

    /// <summary>Receives the whole payload; the output channel is left open for the caller to complete.</summary>
    public Task RunAsync(CancellationToken cancellationToken) =>
        _header.EofMarker is { } marker ? ReceiveUntilMarkerAsync(marker, cancellationToken) : ReceiveCountedAsync(_header.Length, cancellationToken);

    private async Task ReceiveCountedAsync(long length, CancellationToken cancellationToken)
    {
        long remaining = length;
        bool first = true;
        while (remaining > 0)
        {
            byte[] buffer = await _pool.RentAsync(cancellationToken).ConfigureAwait(false);
            int limit = (int)Math.Min(buffer.Length, remaining);
            int filled = first ? _connection.TakeBuffered(buffer.AsSpan(0, limit)) : 0;
            first = false;
            (filled, bool closed) = await FillAsync(buffer, filled, limit, mustReceive: filled == 0).ConfigureAwait(false);
            if (closed)
            {
                throw new SnapshotException(
                    SnapshotFailure.ConnectionLost,
                    $"{_connection.EndPoint} closed the connection after {length - remaining + filled} of {length} RDB bytes");
            }

            remaining -= filled;
            await _output.WriteAsync(new PayloadChunk(buffer, filled), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ReceiveUntilMarkerAsync(byte[] marker, CancellationToken cancellationToken)
    {
        // The marker can straddle two reads, so the last (marker length - 1) bytes of a chunk are carried into the
        // next one and only forwarded once we know they do not begin the marker.
        int carryLimit = marker.Length - 1;
        var carry = new byte[carryLimit];
        int carried = 0;
        long forwarded = 0;
        bool first = true;
        while (true)
        {
            byte[] buffer = await _pool.RentAsync(cancellationToken).ConfigureAwait(false);
            carry.AsSpan(0, carried).CopyTo(buffer);
            int filled = carried;
            if (first)
            {
                filled += _connection.TakeBuffered(buffer.AsSpan(filled));
                first = false;
            }

            (filled, bool closed) = await FillAsync(buffer, filled, buffer.Length, mustReceive: filled == carried).ConfigureAwait(false);
            if (closed && buffer.AsSpan(0, filled).IndexOf(marker) < 0)
            {
                throw new SnapshotException(
                    SnapshotFailure.ConnectionLost,
                    $"{_connection.EndPoint} closed the connection after {forwarded + filled} bytes, before the end-of-transfer marker");
            }

            int markerAt = buffer.AsSpan(0, filled).IndexOf(marker);
            if (markerAt >= 0)
            {
                // Whatever follows the marker (keep-alive newlines from 7.0.0-7.0.5 masters) is not part of the RDB.
                await _output.WriteAsync(new PayloadChunk(buffer, markerAt), cancellationToken).ConfigureAwait(false);
                return;
            }

            carried = Math.Min(carryLimit, filled);
            buffer.AsSpan(filled - carried, carried).CopyTo(carry);
            forwarded += filled - carried;
            await _output.WriteAsync(new PayloadChunk(buffer, filled - carried), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Receives into buffer[filled..limit]: blocks for at least one read when <paramref name="mustReceive"/>, then keeps
    /// reading while the socket already holds data, so chunks are large and the writer sees few, big spans.
    /// Closed is true when the peer closed the connection.
    /// </summary>
    private async Task<(int Filled, bool Closed)> FillAsync(byte[] buffer, int filled, int limit, bool mustReceive)
    {
        while (filled < limit && (mustReceive || _connection.Available > 0))
        {
            int read = await _connection.ReceiveAsync(buffer.AsMemory(filled, limit - filled)).ConfigureAwait(false);
            if (read == 0)
            {
                return (filled, true);
            }

            filled += read;
            mustReceive = false;
        }

        return (filled, false);
    }
}

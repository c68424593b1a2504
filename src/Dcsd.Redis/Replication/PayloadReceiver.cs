using System.Threading.Channels;
using Dcsd.Redis.Protocol;

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

    /// <summary>
    /// Receives the whole payload, blocking the calling (dedicated) thread; the output channel is left open for
    /// the caller to complete.
    /// </summary>
    public void Run(CancellationToken cancellationToken)
    {
        if (_header.EofMarker is { } marker)
        {
            ReceiveUntilMarker(marker, cancellationToken);
        }
        else
        {
            ReceiveCounted(_header.Length, cancellationToken);
        }
    }

    private void ReceiveCounted(long length, CancellationToken cancellationToken)
    {
        long remaining = length;
        bool first = true;
        while (remaining > 0)
        {
            byte[] buffer = _pool.Rent(cancellationToken);
            int limit = (int)Math.Min(buffer.Length, remaining);
            int filled = first ? _connection.TakeBuffered(buffer.AsSpan(0, limit)) : 0;
            first = false;

            // Fill the whole chunk before handing it over: every hand-over wakes the writer thread, and on a busy
            // machine those wake-ups (not the hashing) dominate the CPU cost. We know the length, so we never wait
            // for bytes that will not come.
            while (filled < limit)
            {
                int read = _connection.Receive(buffer.AsSpan(filled, limit - filled));
                if (read == 0)
                {
                    throw new RedisFailureException(
                        RedisFailureKind.ConnectionLost,
                        $"{_connection.EndPoint} closed the connection after {length - remaining + filled} of {length} RDB bytes");
                }

                filled += read;
            }

            remaining -= filled;
            Forward(new PayloadChunk(buffer, filled));
        }
    }

    private void ReceiveUntilMarker(byte[] marker, CancellationToken cancellationToken)
    {
        // The marker can straddle two reads or two chunks, so each read is searched together with the
        // (marker length - 1) bytes before it, and a full chunk keeps that many bytes back for the next one.
        int overlap = marker.Length - 1;
        long forwarded = 0;
        int carried = 0;
        byte[]? previous = null;
        while (true)
        {
            byte[] buffer = _pool.Rent(cancellationToken);
            if (previous is not null)
            {
                previous.AsSpan(previous.Length - carried, carried).CopyTo(buffer);
                Forward(new PayloadChunk(previous, previous.Length - carried));
                forwarded += previous.Length - carried;
                previous = null;
            }

            int filled = carried;
            int searchedUpTo = 0;
            if (forwarded == 0)
            {
                filled += _connection.TakeBuffered(buffer.AsSpan(filled));
            }

            while (true)
            {
                int searchFrom = Math.Max(0, searchedUpTo - overlap);
                int markerAt = buffer.AsSpan(searchFrom, filled - searchFrom).IndexOf(marker);
                if (markerAt >= 0)
                {
                    // Whatever follows the marker (keep-alive newlines from 7.0.0-7.0.5 masters) is not part of the RDB.
                    Forward(new PayloadChunk(buffer, searchFrom + markerAt));
                    return;
                }

                searchedUpTo = filled;
                if (filled == buffer.Length)
                {
                    break;
                }

                // Keep filling the same chunk (see ReceiveCounted for why); the search above ends the
                // transfer as soon as the marker is in, so we never wait for bytes after it.
                int read = _connection.Receive(buffer.AsSpan(filled));
                if (read == 0)
                {
                    throw new RedisFailureException(
                        RedisFailureKind.ConnectionLost,
                        $"{_connection.EndPoint} closed the connection after {forwarded + filled} bytes, before the end-of-transfer marker");
                }

                filled += read;
            }

            carried = overlap;
            previous = buffer;
        }
    }

    // The channel is unbounded (the pool bounds it), so this never blocks.
    private void Forward(PayloadChunk chunk)
    {
        if (!_output.TryWrite(chunk))
        {
            throw new InvalidOperationException("the chunk channel was completed while the payload was still being received");
        }
    }
}

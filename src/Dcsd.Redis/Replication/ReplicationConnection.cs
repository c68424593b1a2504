using System.Net.Sockets;
using System.Text;

namespace Dcsd.Redis.Replication;

/// <summary>
/// One raw TCP connection to a Redis server speaking just enough RESP for the replication handshake:
/// commands out, single reply lines in, then raw payload bytes. Every receive is guarded by the idle timeout.
/// </summary>
internal sealed class ReplicationConnection : IDisposable
{
    // Reply lines are short (+FULLRESYNC is ~60 bytes); a longer one means we are not talking to Redis.
    private const int HandshakeBufferSize = 64 * 1024;

    private readonly Socket _socket;
    private readonly string _endPoint;
    private readonly TimeSpan _idleTimeout;
    private readonly CancellationToken _abort;

    // Linked to _abort, so one token serves both the idle timer and the caller's cancellation on every receive.
    private readonly CancellationTokenSource _idle;
    private readonly byte[] _handshakeBuffer = new byte[HandshakeBufferSize];
    private int _bufferedStart;
    private int _bufferedEnd;

    private ReplicationConnection(Socket socket, string endPoint, TimeSpan idleTimeout, CancellationToken cancellationToken)
    {
        _socket = socket;
        _endPoint = endPoint;
        _idleTimeout = idleTimeout;
        _abort = cancellationToken;
        _idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    }

    public string EndPoint => _endPoint;

    /// <summary>
    /// Connects within the connect timeout. <paramref name="cancellationToken"/> then governs every later
    /// operation on this connection (the caller's token, the total timeout, a failed disk writer).
    /// </summary>
    public static async Task<ReplicationConnection> ConnectAsync(SnapshotSource source, CancellationToken cancellationToken)
    {
        string endPoint = source.ToString();
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connectTimeout.CancelAfter(source.ConnectTimeout);
        try
        {
            await socket.ConnectAsync(source.Host, source.Port, connectTimeout.Token).ConfigureAwait(false);
            return new ReplicationConnection(socket, endPoint, source.IdleTimeout, cancellationToken);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new SnapshotException(SnapshotFailure.Timeout, $"connecting to {endPoint} timed out after {source.ConnectTimeout}");
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new SnapshotException(SnapshotFailure.Unreachable, $"cannot connect to {endPoint}: {ex.SocketErrorCode} ({ex.Message})", ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends one command as a RESP array of bulk strings.</summary>
    public async Task SendCommandAsync(IReadOnlyList<string> arguments)
    {
        var command = new StringBuilder();
        command.Append('*').Append(arguments.Count).Append("\r\n");
        foreach (string argument in arguments)
        {
            command.Append('$').Append(Encoding.UTF8.GetByteCount(argument)).Append("\r\n").Append(argument).Append("\r\n");
        }

        byte[] bytes = Encoding.UTF8.GetBytes(command.ToString());
        try
        {
            await _socket.SendAsync(bytes, SocketFlags.None, _abort).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            throw new SnapshotException(SnapshotFailure.ConnectionLost, $"sending {arguments[0]} to {_endPoint} failed: {ex.SocketErrorCode}", ex);
        }
    }

    /// <summary>
    /// Reads one reply line without its CRLF. With <paramref name="skipKeepAlives"/>, bare '\n' bytes before
    /// the line are dropped: the master sends one per second while the client waits for the fork.
    /// </summary>
    public async Task<string> ReadLineAsync(bool skipKeepAlives)
    {
        while (true)
        {
            if (skipKeepAlives)
            {
                while (_bufferedStart < _bufferedEnd && _handshakeBuffer[_bufferedStart] == (byte)'\n')
                {
                    _bufferedStart++;
                }
            }

            var buffered = _handshakeBuffer.AsSpan(_bufferedStart, _bufferedEnd - _bufferedStart);
            int newline = buffered.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var line = buffered[..newline];
                if (line.Length > 0 && line[^1] == (byte)'\r')
                {
                    line = line[..^1];
                }

                _bufferedStart += newline + 1;
                return Encoding.UTF8.GetString(line);
            }

            if (_bufferedStart > 0)
            {
                buffered.CopyTo(_handshakeBuffer);
                _bufferedEnd = buffered.Length;
                _bufferedStart = 0;
            }

            if (_bufferedEnd == _handshakeBuffer.Length)
            {
                throw new SnapshotException(SnapshotFailure.ProtocolViolation, $"{_endPoint} sent a reply line longer than {HandshakeBufferSize} bytes: not a Redis replication stream");
            }

            int read = await ReceiveAsync(_handshakeBuffer.AsMemory(_bufferedEnd)).ConfigureAwait(false);
            if (read == 0)
            {
                throw new SnapshotException(SnapshotFailure.ConnectionLost, $"{_endPoint} closed the connection during the replication handshake");
            }

            _bufferedEnd += read;
        }
    }

    /// <summary>Moves bytes that arrived together with the last reply line (the start of the payload) into <paramref name="destination"/>.</summary>
    public int TakeBuffered(Span<byte> destination)
    {
        int count = Math.Min(destination.Length, _bufferedEnd - _bufferedStart);
        _handshakeBuffer.AsSpan(_bufferedStart, count).CopyTo(destination);
        _bufferedStart += count;
        return count;
    }

    /// <summary>
    /// One socket receive; 0 means the peer closed. Silence longer than the idle timeout throws Timeout;
    /// cancellation of the token given at connect throws OperationCanceledException.
    /// </summary>
    public async ValueTask<int> ReceiveAsync(Memory<byte> buffer)
    {
        // The idle timer runs only while we wait on the socket: time spent waiting for the disk is not idleness.
        _idle.CancelAfter(_idleTimeout);
        try
        {
            return await _socket.ReceiveAsync(buffer, SocketFlags.None, _idle.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!_abort.IsCancellationRequested)
        {
            throw new SnapshotException(SnapshotFailure.Timeout, $"{_endPoint} sent nothing for {_idleTimeout}");
        }
        catch (SocketException ex)
        {
            throw new SnapshotException(SnapshotFailure.ConnectionLost, $"connection to {_endPoint} lost: {ex.SocketErrorCode}", ex);
        }
        finally
        {
            if (!_idle.IsCancellationRequested)
            {
                _idle.CancelAfter(Timeout.InfiniteTimeSpan);
            }
        }
    }

    public void Dispose()
    {
        _socket.Dispose();
        _idle.Dispose();
    }
}

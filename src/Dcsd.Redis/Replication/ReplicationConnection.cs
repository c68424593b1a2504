using System.Net.Sockets;
using System.Text;
using Dcsd.Redis.Protocol;

namespace Dcsd.Redis.Replication;

/// <summary>
/// One raw TCP connection to a Redis server speaking just enough RESP for the replication handshake:
/// commands out, single reply lines in, then raw payload bytes.
/// </summary>
/// <remarks>
/// Deliberately synchronous, on a blocking socket, used from one dedicated thread (like redis-cli's read loop).
/// A diskless master sends the RDB in ~16 KB pieces; with async receives every piece costs an epoll hand-off
/// plus a thread-pool wake-up whose spinning, measured on a busy 2-core host, burned several times the CPU of
/// hashing the data and slowed the master's own fork. A blocking recv() is woken by the kernel directly.
/// Cancellation and the total timeout shut the socket down under the blocked call; the idle timeout is SO_RCVTIMEO.
/// </remarks>
internal sealed class ReplicationConnection : IDisposable
{
    // Reply lines are short (+FULLRESYNC is ~60 bytes); a longer one means we are not talking to Redis.
    private const int HandshakeBufferSize = 64 * 1024;

    private readonly Socket _socket;
    private readonly string _endPoint;
    private readonly TimeSpan _idleTimeout;
    private readonly CancellationToken _abort;
    private readonly CancellationTokenRegistration _abortRegistration;
    private readonly byte[] _handshakeBuffer = new byte[HandshakeBufferSize];
    private readonly RespWriter _command = new(256);
    private int _bufferedStart;
    private int _bufferedEnd;

    private ReplicationConnection(Socket socket, string endPoint, TimeSpan idleTimeout, CancellationToken abort)
    {
        _socket = socket;
        _endPoint = endPoint;
        _idleTimeout = idleTimeout;
        _abort = abort;
        // SO_RCVTIMEO: 0 means wait forever, which is what an infinite idle timeout asks for.
        _socket.ReceiveTimeout = BlockingSockets.TimeoutMilliseconds(idleTimeout);

        // Wakes a recv() blocked in the kernel: it returns 0, and Receive reports the cancellation instead.
        _abortRegistration = abort.UnsafeRegister(static state => BlockingSockets.ShutdownQuietly((Socket)state!), socket);
    }

    public string EndPoint => _endPoint;

    /// <summary>
    /// Connects within the connect timeout. <paramref name="abort"/> then governs every later operation
    /// on this connection (the caller's token, the total timeout, a failed destination writer).
    /// </summary>
    public static ReplicationConnection Connect(SnapshotSource source, CancellationToken abort)
    {
        Socket socket;
        try
        {
            socket = BlockingSockets.Connect(source.Host, source.Port, source.ConnectTimeout, abort);
        }
        catch (ConnectFailedException ex)
        {
            throw RedisErrors.ConnectFailed(source.ToString(), ex.TimedOut, source.ConnectTimeout, ex);
        }

        try
        {
            return new ReplicationConnection(socket, source.ToString(), source.IdleTimeout, abort);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends one command as a RESP array of bulk strings.</summary>
    public void SendCommand(IReadOnlyList<string> arguments)
    {
        _command.Clear();
        _command.Command(arguments);
        try
        {
            _socket.Send(_command.Written.Span);
        }
        catch (SocketException ex)
        {
            _abort.ThrowIfCancellationRequested();
            throw new RedisFailureException(RedisFailureKind.ConnectionLost, $"sending {arguments[0]} to {_endPoint} failed: {ex.SocketErrorCode}", ex);
        }
    }

    /// <summary>
    /// Reads one reply line without its CRLF. With <paramref name="skipKeepAlives"/>, bare '\n' bytes before
    /// the line are dropped: the master sends one per second while the client waits for the fork.
    /// </summary>
    public string ReadLine(bool skipKeepAlives)
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
                throw new RedisFailureException(RedisFailureKind.ProtocolViolation, $"{_endPoint} sent a reply line longer than {HandshakeBufferSize} bytes: not a Redis replication stream");
            }

            int read = Receive(_handshakeBuffer.AsSpan(_bufferedEnd));
            if (read == 0)
            {
                throw new RedisFailureException(RedisFailureKind.ConnectionLost, $"{_endPoint} closed the connection during the replication handshake");
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
    /// One blocking receive; 0 means the peer closed. Silence longer than the idle timeout throws Timeout;
    /// cancellation of the token given at connect throws OperationCanceledException.
    /// </summary>
    public int Receive(Span<byte> buffer)
    {
        int read;
        try
        {
            read = _socket.Receive(buffer);
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
        {
            _abort.ThrowIfCancellationRequested();
            throw new RedisFailureException(RedisFailureKind.Timeout, $"{_endPoint} sent nothing for {RedisErrors.Duration(_idleTimeout)}", ex);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            _abort.ThrowIfCancellationRequested();
            throw new RedisFailureException(RedisFailureKind.ConnectionLost, $"connection to {_endPoint} lost: {(ex as SocketException)?.SocketErrorCode}", ex);
        }

        // A zero-byte read may be our own shutdown from the abort registration rather than the server closing.
        _abort.ThrowIfCancellationRequested();
        return read;
    }

    public void Dispose()
    {
        _abortRegistration.Dispose();
        _socket.Dispose();
        _command.Dispose();
    }
}

using System.Globalization;
using System.Net.Sockets;

namespace Dcsd.Redis.Protocol;

/// <summary>
/// The one client dcsd talks to a Redis node with: connect within the connect timeout, AUTH, then request/reply calls
/// (control plane: INFO, CONFIG, REPLICAOF, CLUSTER …) or pipelined traffic (the RESTORE engine's <c>TargetPipeline</c>).
/// Failures are <see cref="RedisFailureException"/>s built by <see cref="RedisErrors"/>: a refused connect is
/// Unreachable, a node that accepts but does not answer in time is Timeout, naming host:port and the wait.
/// </summary>
/// <remarks>
/// A blocking socket (see <see cref="BlockingSockets"/>): the pipeline writes and reads it from threads of its own, and the
/// asynchronous methods, for the few control-plane calls, run their blocking call on a pool thread, one at a time.
/// The reply timeout is SO_SNDTIMEO/SO_RCVTIMEO; a cancellation shuts the socket down under the blocked call.
/// </remarks>
public sealed class RedisNodeClient : IDisposable, IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly RespWriter _request = new(4096);
    private readonly SemaphoreSlim _oneCallAtATime = new(1, 1);
    private volatile bool _broken;

    private RedisNodeClient(Socket socket, RedisNodeAddress address)
    {
        _socket = socket;
        Address = address;
        socket.SendTimeout = BlockingSockets.TimeoutMilliseconds(address.ReplyTimeout);
        socket.ReceiveTimeout = BlockingSockets.TimeoutMilliseconds(address.ReplyTimeout);
        _stream = new NetworkStream(socket, ownsSocket: false);
        Replies = new RespReader(_stream, Translate);
    }

    public RedisNodeAddress Address { get; }

    public string Host => Address.Host;

    public int Port => Address.Port;

    public string EndPoint => Address.EndPoint;

    /// <summary>False once the connection failed (lost, timed out): a pool drops it then.</summary>
    public bool IsUsable => !_broken;

    internal RespReader Replies { get; }

    public static Task<RedisNodeClient> ConnectAsync(RedisNodeAddress address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        return Task.Run(() => Connect(address, cancellationToken), cancellationToken);
    }

    public static Task<RedisNodeClient> ConnectAsync(string host, int port, string? password, CancellationToken cancellationToken, TimeSpan? connectTimeout = null) =>
        ConnectAsync(new RedisNodeAddress(host, port, password) { ConnectTimeout = connectTimeout ?? RedisNodeAddress.DefaultConnectTimeout }, cancellationToken);

    private static RedisNodeClient Connect(RedisNodeAddress address, CancellationToken cancellationToken)
    {
        Socket socket;
        try
        {
            socket = BlockingSockets.Connect(address.Host, address.Port, address.ConnectTimeout, cancellationToken);
        }
        catch (ConnectFailedException ex)
        {
            throw RedisErrors.ConnectFailed(address.EndPoint, ex.TimedOut, address.ConnectTimeout, ex);
        }

        var connection = new RedisNodeClient(socket, address);
        try
        {
            if (address.Password is not null)
            {
                RespReply auth = connection.Call(["AUTH", address.Password], "AUTH", cancellationToken);
                if (auth.IsError)
                {
                    throw RedisErrors.Rejected(address.EndPoint, "AUTH", auth.Text);
                }
            }

            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Sends one command and reads its reply within the reply timeout. Errors are returned, not thrown.</summary>
    /// <param name="describe">How the command appears in messages (never its arguments: AUTH carries the password).</param>
    internal async Task<RespReply> CallAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken, string? describe = null)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        await _oneCallAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await Task.Run(() => Call(arguments, describe ?? Describe(arguments), cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _oneCallAtATime.Release();
        }
    }

    /// <summary>Like <see cref="CallAsync"/> but an error reply throws (Refused; NOAUTH/WRONGPASS as AuthenticationFailed).</summary>
    internal async Task<RespReply> CallCheckedAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        RespReply reply = await CallAsync(arguments, cancellationToken).ConfigureAwait(false);
        return reply.IsError ? throw RedisErrors.Rejected(EndPoint, Describe(arguments), reply.Text) : reply;
    }

    /// <summary>A command whose whole (possibly nested) reply is wanted; an error reply throws as in <see cref="CallCheckedAsync"/>.</summary>
    internal async Task<RespValue> ExecuteAsync(string command, object[] arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        string[] all = [command, .. arguments.Select(argument => Convert.ToString(argument, CultureInfo.InvariantCulture) ?? string.Empty)];
        await _oneCallAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            RespValue value = await Task.Run(() => CallForValue(all, Describe(all), cancellationToken), cancellationToken).ConfigureAwait(false);
            return value.Kind == RespReplyKind.Error ? throw RedisErrors.Rejected(EndPoint, Describe(all), value.Text) : value;
        }
        finally
        {
            _oneCallAtATime.Release();
        }
    }

    /// <summary>INFO <paramref name="section"/>, parsed.</summary>
    public async Task<InfoSection> InfoAsync(string section, CancellationToken cancellationToken) =>
        InfoSection.Parse((await CallCheckedAsync(["INFO", section], cancellationToken).ConfigureAwait(false)).Text);

    private RespReply Call(IReadOnlyList<string> arguments, string describe, CancellationToken cancellationToken) =>
        RoundTrip(arguments, describe, static replies =>
        {
            RespReply reply;
            while (!replies.TryRead(out reply))
            {
                replies.Fill();
            }

            return reply;
        }, cancellationToken);

    private RespValue CallForValue(IReadOnlyList<string> arguments, string describe, CancellationToken cancellationToken) =>
        RoundTrip(arguments, describe, static replies =>
        {
            RespValue value;
            while (!replies.TryReadValue(out value))
            {
                replies.Fill();
            }

            return value;
        }, cancellationToken);

    private T RoundTrip<T>(IReadOnlyList<string> arguments, string describe, Func<RespReader, T> read, CancellationToken cancellationToken)
    {
        _request.Clear();
        _request.Command(arguments);
        using CancellationTokenRegistration abort = cancellationToken.UnsafeRegister(static state => BlockingSockets.ShutdownQuietly((Socket)state!), _socket);
        try
        {
            Send(_request.Written.Span);
            return read(Replies);
        }
        catch (RedisFailureException ex)
        {
            _broken = true;

            // A cancellation shuts the socket down, which reads as a lost connection.
            cancellationToken.ThrowIfCancellationRequested();
            if (ex.Kind == RedisFailureKind.Timeout)
            {
                throw RedisErrors.NoAnswer(EndPoint, describe, Address.ReplyTimeout, ex);
            }

            throw;
        }
    }

    /// <summary>Writes all of <paramref name="bytes"/>, blocking while the node's receive window is full, for at most the reply timeout.</summary>
    internal void Send(ReadOnlySpan<byte> bytes)
    {
        try
        {
            while (bytes.Length > 0)
            {
                bytes = bytes[_socket.Send(bytes)..];
            }
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
        {
            throw RedisErrors.NotTaking(EndPoint, bytes.Length, Address.ReplyTimeout, ex);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            throw Translate(ex);
        }
    }

    /// <summary>Shuts the connection down, so a thread blocked writing to or reading from it returns at once.</summary>
    internal void Abort() => BlockingSockets.ShutdownQuietly(_socket);

    /// <summary>A command as messages show it: its name and first argument (never more: AUTH and CONFIG SET carry secrets).</summary>
    private static string Describe(IReadOnlyList<string> arguments) =>
        arguments.Count > 1 && !arguments[0].Equals("AUTH", StringComparison.OrdinalIgnoreCase) ? arguments[0] + " " + arguments[1] : arguments[0];

    private Exception Translate(Exception ex) => ex switch
    {
        RedisFailureException => ex,
        IOException { InnerException: SocketException { SocketErrorCode: SocketError.TimedOut or SocketError.WouldBlock } } => RedisErrors.NoAnswer(EndPoint, "a command", Address.ReplyTimeout, ex),
        IOException { InnerException: SocketException socket } => RedisErrors.ConnectionLost(EndPoint, socket),
        _ => RedisErrors.ConnectionLost(EndPoint, ex),
    };

    public void Dispose()
    {
        Replies.Dispose();
        _stream.Dispose();
        _socket.Dispose();
        _request.Dispose();
        _oneCallAtATime.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}

using System.Net.Sockets;
using Dcsd.Redis.Net;

namespace Dcsd.Redis.Restore;

/// <summary>
/// One raw RESP connection to the restore target: connect within the connect timeout, AUTH, then request/reply
/// calls (admin commands) or pipelined traffic through <see cref="TargetPipeline"/>. Failures become <see cref="RestoreException"/>s
/// naming host:port, never the password.
/// </summary>
/// <remarks>
/// A blocking socket (see <see cref="BlockingSockets"/>): the pipeline writes and reads it from threads of its own, and the
/// asynchronous methods, for the few admin calls, run their blocking call on a pool thread. The idle timeout is
/// SO_SNDTIMEO/SO_RCVTIMEO; a cancellation shuts the socket down under the blocked call.
/// </remarks>
internal sealed class TargetConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly RespCommandBuffer _request = new(4096);

    private TargetConnection(Socket socket, RestoreTarget target)
    {
        _socket = socket;
        Target = target;
        socket.SendTimeout = BlockingSockets.TimeoutMilliseconds(target.IdleTimeout);
        socket.ReceiveTimeout = BlockingSockets.TimeoutMilliseconds(target.IdleTimeout);
        _stream = new NetworkStream(socket, ownsSocket: false);
        Replies = new RespReplyReader(_stream, Translate);
    }

    public RestoreTarget Target { get; }

    public RespReplyReader Replies { get; }

    public static Task<TargetConnection> ConnectAsync(RestoreTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        return Task.Run(() => Connect(target, cancellationToken), cancellationToken);
    }

    private static TargetConnection Connect(RestoreTarget target, CancellationToken cancellationToken)
    {
        Socket socket;
        try
        {
            socket = BlockingSockets.Connect(target.Host, target.Port, target.ConnectTimeout, cancellationToken);
        }
        catch (ConnectFailedException ex)
        {
            throw new RestoreException(ex.TimedOut ? RestoreFailure.Timeout : RestoreFailure.Unreachable, ex.Message, ex.InnerException ?? ex);
        }

        var connection = new TargetConnection(socket, target);
        try
        {
            if (target.Password is not null)
            {
                RespReply auth = connection.Call(["AUTH", target.Password], "AUTH", cancellationToken);
                if (auth.IsError)
                {
                    throw new RestoreException(RestoreFailure.AuthenticationFailed, $"{target} rejected AUTH: {auth.Text}");
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

    /// <summary>Sends one command and reads its reply within the idle timeout. Errors are returned, not thrown.</summary>
    /// <param name="describe">How the command appears in messages (never its arguments: AUTH carries the password).</param>
    public Task<RespReply> CallAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken, string? describe = null) =>
        Task.Run(() => Call(arguments, describe ?? arguments[0], cancellationToken), cancellationToken);

    /// <summary>Like <see cref="CallAsync"/> but an error reply throws <see cref="RestoreFailure.TargetRejected"/> (NOAUTH/WRONGPASS as AuthenticationFailed).</summary>
    public async Task<RespReply> CallCheckedAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        RespReply reply = await CallAsync(arguments, cancellationToken).ConfigureAwait(false);
        if (reply.IsError)
        {
            throw RejectionOf(Target, string.Join(' ', arguments.Take(2)), reply.Text);
        }

        return reply;
    }

    private RespReply Call(IReadOnlyList<string> arguments, string describe, CancellationToken cancellationToken)
    {
        _request.Clear();
        _request.BeginCommand(arguments.Count);
        foreach (string argument in arguments)
        {
            _request.Bulk(System.Text.Encoding.UTF8.GetBytes(argument));
        }

        using CancellationTokenRegistration abort = cancellationToken.UnsafeRegister(static state => BlockingSockets.ShutdownQuietly((Socket)state!), _socket);
        try
        {
            Send(_request.Written.Span);
            RespReply reply;
            while (!Replies.TryRead(out reply))
            {
                Replies.Fill();
            }

            return reply;
        }
        catch (RestoreException ex)
        {
            // A cancellation shuts the socket down, which reads as a lost connection.
            cancellationToken.ThrowIfCancellationRequested();
            if (ex.Reason == RestoreFailure.Timeout)
            {
                throw new RestoreException(RestoreFailure.Timeout, $"{Target} did not answer {describe} within {Target.IdleTimeout}", ex);
            }

            throw;
        }
    }

    /// <summary>Writes all of <paramref name="bytes"/>, blocking while the target's receive window is full, for at most the idle timeout.</summary>
    public void Send(ReadOnlySpan<byte> bytes)
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
            throw new RestoreException(RestoreFailure.Timeout, $"{Target} did not take {bytes.Length} bytes of commands within {Target.IdleTimeout}", ex);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            throw Translate(ex);
        }
    }

    /// <summary>Shuts the connection down, so a thread blocked writing to or reading from it returns at once.</summary>
    public void Abort() => BlockingSockets.ShutdownQuietly(_socket);

    internal static RestoreException RejectionOf(RestoreTarget target, string what, string? reply)
    {
        bool auth = reply is not null && (reply.StartsWith("NOAUTH", StringComparison.Ordinal) || reply.StartsWith("WRONGPASS", StringComparison.Ordinal));
        return new RestoreException(auth ? RestoreFailure.AuthenticationFailed : RestoreFailure.TargetRejected, $"{target} rejected {what}: {reply}");
    }

    private Exception Translate(Exception ex) => ex switch
    {
        RestoreException => ex,
        EndOfStreamException => new RestoreException(RestoreFailure.ConnectionLost, $"{Target} closed the connection", ex),
        IOException { InnerException: SocketException { SocketErrorCode: SocketError.TimedOut or SocketError.WouldBlock } } => new RestoreException(RestoreFailure.Timeout, $"{Target} answered nothing for {Target.IdleTimeout}", ex),
        IOException { InnerException: SocketException socket } => new RestoreException(RestoreFailure.ConnectionLost, $"connection to {Target} lost: {socket.SocketErrorCode}", ex),
        SocketException socket => new RestoreException(RestoreFailure.ConnectionLost, $"connection to {Target} lost: {socket.SocketErrorCode}", ex),
        _ => new RestoreException(RestoreFailure.ConnectionLost, $"connection to {Target} lost: {ex.Message}", ex),
    };

    public void Dispose()
    {
        Replies.Dispose();
        _stream.Dispose();
        _socket.Dispose();
        _request.Dispose();
    }
}

using System.Net.Sockets;

namespace Dcsd.Redis.Restore;

/// <summary>
/// One raw RESP connection to the restore target: connect within the connect timeout, AUTH, then request/reply
/// calls (admin commands) or pipelined traffic through <see cref="TargetPipeline"/>. Failures become <see cref="RestoreException"/>s
/// naming host:port, never the password.
/// </summary>
internal sealed class TargetConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly RespCommandBuffer _request = new(4096);

    private TargetConnection(Socket socket, RestoreTarget target)
    {
        _socket = socket;
        Target = target;
        Stream = new NetworkStream(socket, ownsSocket: false);
        Replies = new RespReplyReader(Stream, Translate);
    }

    public RestoreTarget Target { get; }

    public NetworkStream Stream { get; }

    public RespReplyReader Replies { get; }

    public static async Task<TargetConnection> ConnectAsync(RestoreTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        TargetConnection? connection = null;
        try
        {
            using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                connectTimeout.CancelAfter(target.ConnectTimeout);
                try
                {
                    await socket.ConnectAsync(target.Host, target.Port, connectTimeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new RestoreException(RestoreFailure.Timeout, $"connecting to {target} timed out after {target.ConnectTimeout}");
                }
                catch (SocketException ex)
                {
                    throw new RestoreException(RestoreFailure.Unreachable, $"cannot connect to {target}: {ex.SocketErrorCode}", ex);
                }
            }

            connection = new TargetConnection(socket, target);
            if (target.Password is not null)
            {
                RespReply auth = await connection.CallAsync(["AUTH", target.Password], cancellationToken, describe: "AUTH").ConfigureAwait(false);
                if (auth.IsError)
                {
                    throw new RestoreException(RestoreFailure.AuthenticationFailed, $"{target} rejected AUTH: {auth.Text}");
                }
            }

            return connection;
        }
        catch
        {
            if (connection is not null)
            {
                connection.Dispose();
            }
            else
            {
                socket.Dispose();
            }

            throw;
        }
    }

    /// <summary>Sends one command and reads its reply within the idle timeout. Errors are returned, not thrown.</summary>
    /// <param name="describe">How the command appears in messages (never its arguments: AUTH carries the password).</param>
    public async Task<RespReply> CallAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken, string? describe = null)
    {
        _request.Clear();
        _request.BeginCommand(arguments.Count);
        foreach (string argument in arguments)
        {
            _request.Bulk(System.Text.Encoding.UTF8.GetBytes(argument));
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Target.IdleTimeout);
        try
        {
            await WriteAsync(_request.Written, timeout.Token).ConfigureAwait(false);
            return await Replies.ReadAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RestoreException(RestoreFailure.Timeout, $"{Target} did not answer {describe ?? arguments[0]} within {Target.IdleTimeout}");
        }
    }

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

    /// <summary>Writes within the idle timeout: a target that stops reading must not block the restore forever.</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Target.IdleTimeout);
        try
        {
            await Stream.WriteAsync(bytes, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RestoreException(RestoreFailure.Timeout, $"{Target} did not take {bytes.Length} bytes of commands within {Target.IdleTimeout}");
        }
        catch (IOException ex)
        {
            throw Translate(ex);
        }
    }

    internal static RestoreException RejectionOf(RestoreTarget target, string what, string? reply)
    {
        bool auth = reply is not null && (reply.StartsWith("NOAUTH", StringComparison.Ordinal) || reply.StartsWith("WRONGPASS", StringComparison.Ordinal));
        return new RestoreException(auth ? RestoreFailure.AuthenticationFailed : RestoreFailure.TargetRejected, $"{target} rejected {what}: {reply}");
    }

    private Exception Translate(Exception ex) => ex switch
    {
        RestoreException => ex,
        EndOfStreamException => new RestoreException(RestoreFailure.ConnectionLost, $"{Target} closed the connection", ex),
        IOException { InnerException: SocketException socket } => new RestoreException(RestoreFailure.ConnectionLost, $"connection to {Target} lost: {socket.SocketErrorCode}", ex),
        _ => new RestoreException(RestoreFailure.ConnectionLost, $"connection to {Target} lost: {ex.Message}", ex),
    };

    public void Dispose()
    {
        Replies.Dispose();
        Stream.Dispose();
        _socket.Dispose();
        _request.Dispose();
    }
}

using System.Net;
using System.Net.Sockets;

namespace Dcsd.Redis.Protocol;

/// <summary>
/// Blocking TCP sockets for connections that are read and written from threads of their own (the replication client,
/// the restore pipeline), the way redis-cli does. Once .NET has used a socket asynchronously, even for the connect, it
/// registers it with its epoll thread for good, and from then on every readiness change of the socket is a thread-pool
/// dispatch whose spinning workers, on a busy 2-core host, cost several times the CPU of the work itself. A socket
/// connected and used only with blocking calls is woken by the kernel directly.
/// </summary>
internal static class BlockingSockets
{
    /// <summary>
    /// Connects to <paramref name="host"/>:<paramref name="port"/> within <paramref name="timeout"/>, trying each address
    /// of a name in turn. The connect blocks and is aborted by closing the socket when the timeout or
    /// <paramref name="abort"/> fires (a non-blocking connect would be simpler to time out, but is the asynchronous use
    /// above). Throws <see cref="ConnectFailedException"/>, or <see cref="OperationCanceledException"/> for <paramref name="abort"/>.
    /// </summary>
    public static Socket Connect(string host, int port, TimeSpan timeout, CancellationToken abort)
    {
        string endPoint = host + ":" + port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(host, out var parsed) ? [parsed] : Dns.GetHostAddresses(host);
        }
        catch (SocketException ex)
        {
            throw new ConnectFailedException(false, $"cannot resolve {host}: {ex.SocketErrorCode}", ex);
        }

        if (addresses.Length == 0)
        {
            throw new ConnectFailedException(false, $"{host} resolves to no address");
        }

        // A name like "localhost" may list ::1 first while Redis listens on 127.0.0.1 only: try each address in turn.
        for (int i = 0; ; i++)
        {
            var socket = new Socket(addresses[i].AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                ConnectWithTimeout(socket, new IPEndPoint(addresses[i], port), timeout, endPoint, abort);
                return socket;
            }
            catch (ConnectFailedException ex) when (!ex.TimedOut && i < addresses.Length - 1)
            {
                socket.Dispose();
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
    }

    private static void ConnectWithTimeout(Socket socket, IPEndPoint target, TimeSpan timeout, string endPoint, CancellationToken abort)
    {
        using var timeoutOrAbort = CancellationTokenSource.CreateLinkedTokenSource(abort);
        timeoutOrAbort.CancelAfter(timeout);
        try
        {
            using (timeoutOrAbort.Token.UnsafeRegister(static state => ((Socket)state!).Dispose(), socket))
            {
                socket.Connect(target);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            abort.ThrowIfCancellationRequested();
            if (timeoutOrAbort.IsCancellationRequested)
            {
                throw new ConnectFailedException(true, $"connecting to {endPoint} timed out after {timeout}", ex);
            }

            throw new ConnectFailedException(false, $"cannot connect to {endPoint}: {(ex as SocketException)?.SocketErrorCode}", ex);
        }

        // The timer may have closed the socket just as the connect succeeded.
        abort.ThrowIfCancellationRequested();
        if (timeoutOrAbort.IsCancellationRequested)
        {
            throw new ConnectFailedException(true, $"connecting to {endPoint} timed out after {timeout}");
        }
    }

    /// <summary>Wakes whatever blocks on the socket (a recv returns 0, a send fails); nothing if it is already closed.</summary>
    public static void ShutdownQuietly(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already closed or never connected: nothing is blocked on it then.
        }
    }

    /// <summary>SO_RCVTIMEO/SO_SNDTIMEO in milliseconds for an idle timeout: 0 waits forever, as an infinite one asks.</summary>
    public static int TimeoutMilliseconds(TimeSpan idleTimeout) =>
        idleTimeout == Timeout.InfiniteTimeSpan ? 0 : (int)Math.Clamp(idleTimeout.TotalMilliseconds, 1, int.MaxValue);
}

/// <summary>
/// A connect that failed: the name did not resolve, nothing accepted, or the timeout passed. The message names
/// host:port; the inner exception, if any, is the socket's.
/// </summary>
internal sealed class ConnectFailedException : Exception
{
    public ConnectFailedException()
        : this(false, "connect failed")
    {
    }

    public ConnectFailedException(string message)
        : this(false, message)
    {
    }

    public ConnectFailedException(string message, Exception innerException)
        : this(false, message, innerException)
    {
    }

    public ConnectFailedException(bool timedOut, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        TimedOut = timedOut;
    }

    public bool TimedOut { get; }
}

using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Dcsd.Redis.Restore;

/// <summary>
/// dcsd playing a Redis master on a loopback port: it accepts the target's replication connection, answers the
/// handshake (PING, AUTH, REPLCONF), answers PSYNC/SYNC with a full resync carrying the RDB as a counted bulk, then keeps
/// the link alive with a PING a second (ignoring REPLCONF ACKs) until stopped. A replica that reconnects is served
/// again when the RDB stream can seek back; otherwise, or after <see cref="MaxFullSyncs"/> attempts, it is refused and
/// <see cref="Fault"/> says why.
/// </summary>
internal sealed class ReplicationMasterListener : IAsyncDisposable
{
    public const int MaxFullSyncs = 3;

    private static readonly byte[] Ping = "*1\r\n$4\r\nPING\r\n"u8.ToArray();

    private readonly TcpListener _listener;
    private readonly Stream _rdb;
    private readonly long _rdbStart;
    private readonly long _length;
    private readonly ReadOnlyMemory<byte> _alreadyRead;
    private readonly string? _password;
    private readonly string _replicationId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
    private readonly CancellationTokenSource _stop;
    private readonly Task _acceptLoop;
    private long _bytesSent;
    private int _fullSyncs;
    private volatile bool _transferComplete;
    private volatile RestoreException? _fault;

    /// <param name="rdb">The file, positioned after <paramref name="alreadyRead"/> (bytes the caller took to read the header).</param>
    /// <param name="length">Length of the whole file, <paramref name="alreadyRead"/> included.</param>
    /// <param name="password">When given, the replica's AUTH must carry it.</param>
    public ReplicationMasterListener(Stream rdb, long length, ReadOnlyMemory<byte> alreadyRead, string? password, CancellationToken cancellationToken)
    {
        _rdb = rdb;
        _rdbStart = rdb.CanSeek ? rdb.Position : 0;
        _length = length;
        _alreadyRead = alreadyRead;
        _password = password;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start(1);
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _acceptLoop = Task.Run(() => AcceptLoopAsync(_stop.Token), CancellationToken.None);
    }

    public int Port { get; }

    /// <summary>RDB bytes written to the replica in the current full sync.</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>True once a replica received the whole RDB (and the link is kept alive since).</summary>
    public bool TransferComplete => _transferComplete;

    /// <summary>Why serving failed (wrong AUTH, repeated resyncs, a second sync of an unseekable stream); null while all is well.</summary>
    public RestoreException? Fault => _fault;

    private async Task AcceptLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                using Socket replica = await _listener.AcceptSocketAsync(cancellationToken).ConfigureAwait(false);
                replica.NoDelay = true;
                await using var stream = new NetworkStream(replica, ownsSocket: false);
                try
                {
                    await ServeAsync(stream, cancellationToken).ConfigureAwait(false);
                }
                catch (IOException)
                {
                    // The replica dropped the link; it reconnects and asks again, or the engine times out.
                }
                catch (SocketException)
                {
                    // As above.
                }

                _transferComplete = false;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped.
        }
        catch (RestoreException ex)
        {
            _fault = ex;
        }
    }

    private async Task ServeAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        using var commands = new ReplicaCommandReader(stream);
        bool authenticated = _password is null;
        while (await commands.ReadAsync(cancellationToken).ConfigureAwait(false) is { } command)
        {
            string name = command[0].ToUpperInvariant();
            switch (name)
            {
                case "AUTH":
                    // AUTH password, or AUTH user password (masteruser).
                    authenticated = _password is null || string.Equals(command[^1], _password, StringComparison.Ordinal);
                    await ReplyAsync(stream, authenticated ? "+OK\r\n" : "-WRONGPASS invalid username-password pair or user is disabled.\r\n", cancellationToken).ConfigureAwait(false);
                    if (!authenticated)
                    {
                        _fault = new RestoreException(RestoreFailure.AuthenticationFailed, "the target authenticated to dcsd's replication listener with a password other than the instance password (check its masterauth)");
                    }

                    break;
                case "PING":
                    await ReplyAsync(stream, authenticated ? "+PONG\r\n" : "-NOAUTH Authentication required.\r\n", cancellationToken).ConfigureAwait(false);
                    break;
                case "REPLCONF":
                    // ACK and GETACK get no reply; listening-port, capa, ip-address get +OK.
                    if (command.Length > 1 && !command[1].Equals("ACK", StringComparison.OrdinalIgnoreCase) && !command[1].Equals("GETACK", StringComparison.OrdinalIgnoreCase))
                    {
                        await ReplyAsync(stream, authenticated ? "+OK\r\n" : "-NOAUTH Authentication required.\r\n", cancellationToken).ConfigureAwait(false);
                    }

                    break;
                case "PSYNC" or "SYNC":
                    if (!authenticated)
                    {
                        await ReplyAsync(stream, "-NOAUTH Authentication required.\r\n", cancellationToken).ConfigureAwait(false);
                        break;
                    }

                    await FullSyncAsync(stream, withFullResyncLine: name == "PSYNC", cancellationToken).ConfigureAwait(false);
                    await KeepAliveAsync(stream, commands, cancellationToken).ConfigureAwait(false);
                    return;
                default:
                    await ReplyAsync(stream, "-ERR dcsd's restore listener only serves replication\r\n", cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
    }

    private async Task FullSyncAsync(NetworkStream stream, bool withFullResyncLine, CancellationToken cancellationToken)
    {
        if (++_fullSyncs > MaxFullSyncs || (_fullSyncs > 1 && !_rdb.CanSeek))
        {
            await ReplyAsync(stream, "-ERR dcsd cannot serve this RDB again\r\n", cancellationToken).ConfigureAwait(false);
            throw new RestoreException(RestoreFailure.TargetRejected, _fullSyncs > MaxFullSyncs
                ? $"the target asked for the RDB {_fullSyncs} times: it does not load it (see its log)"
                : "the target asked for the RDB again after a broken transfer and the input cannot be read twice");
        }

        if (_fullSyncs > 1)
        {
            _rdb.Position = _rdbStart;
        }

        Interlocked.Exchange(ref _bytesSent, 0);
        string header = (withFullResyncLine ? $"+FULLRESYNC {_replicationId} 0\r\n" : string.Empty) + $"${_length}\r\n";
        await ReplyAsync(stream, header, cancellationToken).ConfigureAwait(false);
        await stream.WriteAsync(_alreadyRead, cancellationToken).ConfigureAwait(false);
        Interlocked.Add(ref _bytesSent, _alreadyRead.Length);

        byte[] block = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            long remaining = _length - _alreadyRead.Length;
            while (remaining > 0)
            {
                int read;
                try
                {
                    read = await _rdb.ReadAsync(block.AsMemory(0, (int)Math.Min(block.Length, remaining)), cancellationToken).ConfigureAwait(false);
                }
                catch (IOException ex)
                {
                    // Not the replica's link (whose failures are IOExceptions too): asking again would read the same file.
                    throw new RestoreException(RestoreFailure.FileUnreadable, $"reading the RDB failed {_length - remaining} bytes in: {ex.Message}", ex);
                }

                if (read == 0)
                {
                    throw new RestoreException(RestoreFailure.CorruptFile, $"the RDB stream ended {remaining} bytes before its announced length of {_length}");
                }

                await stream.WriteAsync(block.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                remaining -= read;
                Interlocked.Add(ref _bytesSent, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(block);
        }

        _transferComplete = true;
    }

    /// <summary>
    /// After the RDB a master streams its writes; we have none, so we send a PING a second (as Redis does every
    /// repl-ping-replica-period) so the replica does not time the link out, and drain its REPLCONF ACKs.
    /// </summary>
    private static async Task KeepAliveAsync(NetworkStream stream, ReplicaCommandReader commands, CancellationToken cancellationToken)
    {
        using var linkClosed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task drain = Task.Run(
            async () =>
            {
                try
                {
                    while (await commands.ReadAsync(linkClosed.Token).ConfigureAwait(false) is not null)
                    {
                        // REPLCONF ACK <offset>: nothing to do.
                    }
                }
                catch (Exception ex) when (ex is IOException or OperationCanceledException or RestoreException)
                {
                    // Link gone or stopping.
                }
                finally
                {
                    await linkClosed.CancelAsync().ConfigureAwait(false);
                }
            },
            CancellationToken.None);

        try
        {
            while (!linkClosed.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), linkClosed.Token).ConfigureAwait(false);
                await stream.WriteAsync(Ping, linkClosed.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (linkClosed.IsCancellationRequested)
        {
            // The replica left, or we were stopped.
        }
        finally
        {
            await linkClosed.CancelAsync().ConfigureAwait(false);
            await drain.ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
    }

    private static async Task ReplyAsync(NetworkStream stream, string text, CancellationToken cancellationToken) =>
        await stream.WriteAsync(Encoding.ASCII.GetBytes(text), cancellationToken).ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        try
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        _listener.Dispose();
        _stop.Dispose();
    }
}

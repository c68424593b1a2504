using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Dcsd.Redis.Protocol;

namespace Dcsd.Redis.Restore;

/// <summary>
/// dcsd playing a Redis master on an ephemeral port of the configured address (loopback by default): it accepts the target's replication connection, answers the
/// handshake (PING, AUTH, REPLCONF), answers PSYNC/SYNC with a full resync carrying the RDB as a counted bulk, then keeps
/// the link alive with a PING a second (ignoring REPLCONF ACKs) until stopped. A replica that reconnects is served
/// again when the RDB stream can seek back; otherwise, or after <see cref="MaxFullSyncs"/> attempts, it is refused and
/// <see cref="Fault"/> says why.
/// </summary>
internal sealed class ReplicationMasterListener : IAsyncDisposable
{
    public const int MaxFullSyncs = 3;

    // Commands go through the one RESP writer, but the keep-alive is the same bytes every second: encode it once.
    private static readonly byte[] Ping = EncodePing();

    // Replicas send only short commands; anything longer is not a replica talking.
    private const int MaxCommandBytes = 64 * 1024;

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
    private volatile RedisFailureException? _fault;
    private volatile bool _replicaConnected;

    /// <param name="rdb">The file, positioned after <paramref name="alreadyRead"/> (bytes the caller took to read the header).</param>
    /// <param name="length">Length of the whole file, <paramref name="alreadyRead"/> included.</param>
    /// <param name="password">When given, the replica's AUTH must carry it.</param>
    /// <param name="listenAddress">Where to accept the replica: loopback, or an address the target's host can reach.</param>
    public ReplicationMasterListener(Stream rdb, long length, ReadOnlyMemory<byte> alreadyRead, string? password, IPAddress listenAddress, CancellationToken cancellationToken)
    {
        _rdb = rdb;
        _rdbStart = rdb.CanSeek ? rdb.Position : 0;
        _length = length;
        _alreadyRead = alreadyRead;
        _password = password;
        _listener = new TcpListener(listenAddress, 0);
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

    /// <summary>True once the target opened a connection to the listener at all (it can reach dcsd).</summary>
    public bool ReplicaConnected => _replicaConnected;

    /// <summary>Why serving failed (wrong AUTH, repeated resyncs, a second sync of an unseekable stream); null while all is well.</summary>
    public RedisFailureException? Fault => _fault;

    private async Task AcceptLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                using Socket replica = await _listener.AcceptSocketAsync(cancellationToken).ConfigureAwait(false);
                replica.NoDelay = true;
                _replicaConnected = true;
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
        catch (RedisFailureException ex)
        {
            _fault = ex;
        }
    }

    private async Task ServeAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        using var commands = new RespReader(stream, static ex => ex);
        using var reply = new RespWriter(256);
        bool authenticated = _password is null;
        while (await ReadCommandAsync(commands, cancellationToken).ConfigureAwait(false) is { } command)
        {
            string name = command[0].ToUpperInvariant();
            switch (name)
            {
                case "AUTH":
                    // AUTH password, or AUTH user password (masteruser).
                    authenticated = _password is null || string.Equals(command[^1], _password, StringComparison.Ordinal);
                    if (authenticated)
                    {
                        reply.SimpleString("OK");
                    }
                    else
                    {
                        reply.Error("WRONGPASS invalid username-password pair or user is disabled.");
                        _fault = new RedisFailureException(RedisFailureKind.AuthenticationFailed, "the target authenticated to dcsd's replication listener with a password other than the one dcsd set as its masterauth");
                    }

                    break;
                case "PING":
                    Reply(reply, authenticated, "PONG");
                    break;
                case "REPLCONF":
                    // ACK and GETACK get no reply; listening-port, capa, ip-address get +OK.
                    if (command.Length > 1 && !command[1].Equals("ACK", StringComparison.OrdinalIgnoreCase) && !command[1].Equals("GETACK", StringComparison.OrdinalIgnoreCase))
                    {
                        Reply(reply, authenticated, "OK");
                    }

                    break;
                case "PSYNC" or "SYNC":
                    if (!authenticated)
                    {
                        Reply(reply, authenticated, "OK");
                        break;
                    }

                    await FullSyncAsync(stream, reply, withFullResyncLine: name == "PSYNC", cancellationToken).ConfigureAwait(false);
                    await KeepAliveAsync(stream, commands, cancellationToken).ConfigureAwait(false);
                    return;
                default:
                    reply.Error("ERR dcsd's restore listener only serves replication");
                    break;
            }

            await FlushAsync(stream, reply, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The next command of the replica, or null when it closed the connection.</summary>
    private static async ValueTask<string[]?> ReadCommandAsync(RespReader commands, CancellationToken cancellationToken)
    {
        string[] command;
        while (!commands.TryReadCommand(out command))
        {
            if (!await commands.FillAsync(MaxCommandBytes, cancellationToken).ConfigureAwait(false))
            {
                return null;
            }
        }

        return command;
    }

    private static void Reply(RespWriter reply, bool authenticated, string text)
    {
        if (authenticated)
        {
            reply.SimpleString(text);
        }
        else
        {
            reply.Error("NOAUTH Authentication required.");
        }
    }

    private static async Task FlushAsync(NetworkStream stream, RespWriter reply, CancellationToken cancellationToken)
    {
        if (reply.Length > 0)
        {
            await stream.WriteAsync(reply.Written, cancellationToken).ConfigureAwait(false);
            reply.Clear();
        }
    }

    private static byte[] EncodePing()
    {
        using var writer = new RespWriter(64);
        writer.Command(["PING"]);
        return writer.Written.ToArray();
    }

    private async Task FullSyncAsync(NetworkStream stream, RespWriter reply, bool withFullResyncLine, CancellationToken cancellationToken)
    {
        if (++_fullSyncs > MaxFullSyncs || (_fullSyncs > 1 && !_rdb.CanSeek))
        {
            reply.Error("ERR dcsd cannot serve this RDB again");
            await FlushAsync(stream, reply, cancellationToken).ConfigureAwait(false);
            throw new RedisFailureException(RedisFailureKind.Refused, _fullSyncs > MaxFullSyncs
                ? $"the target asked for the RDB {_fullSyncs} times: it does not load it (see its log)"
                : "the target asked for the RDB again after a broken transfer and the input cannot be read twice");
        }

        if (_fullSyncs > 1)
        {
            _rdb.Position = _rdbStart;
        }

        Interlocked.Exchange(ref _bytesSent, 0);
        if (withFullResyncLine)
        {
            reply.SimpleString($"FULLRESYNC {_replicationId} 0");
        }

        reply.BulkHeader(_length);
        await FlushAsync(stream, reply, cancellationToken).ConfigureAwait(false);
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
                    throw new RedisFailureException(RedisFailureKind.FileUnreadable, $"reading the backup file failed {_length - remaining} bytes in", ex);
                }

                if (read == 0)
                {
                    throw new RedisFailureException(RedisFailureKind.Corrupt, $"the RDB stream ended {remaining} bytes before its announced length of {_length}");
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
    private static async Task KeepAliveAsync(NetworkStream stream, RespReader commands, CancellationToken cancellationToken)
    {
        using var linkClosed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task drain = Task.Run(
            async () =>
            {
                try
                {
                    while (await ReadCommandAsync(commands, linkClosed.Token).ConfigureAwait(false) is not null)
                    {
                        // REPLCONF ACK <offset>: nothing to do.
                    }
                }
                catch (Exception ex) when (ex is IOException or OperationCanceledException or RedisFailureException)
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

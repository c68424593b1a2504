using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Dcsd.Rdb;

namespace Dcsd.Redis.Tests.Replication;

/// <summary>
/// A loopback TCP server that plays a scripted master, for the failures a real redis-server will not produce on
/// demand (truncation, bad CRC, silence). It reads the client's RESP commands before answering and closes the
/// connection when the script ends, so closing never turns into a reset that could hide the data sent before it.
/// </summary>
internal sealed class FakeMaster : IAsyncDisposable
{
    public const string ReplicationId = "0123456789abcdef0123456789abcdef01234567";
    public const string Marker = "fedcba9876543210fedcba9876543210fedcba98";

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;

    public FakeMaster(Func<Session, CancellationToken, Task> script)
    {
        _listener.Start();
        _serving = ServeAsync(script);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>A small but complete RDB: header, one string key, EOF opcode and the CRC64 (or 0).</summary>
    public static byte[] BuildRdb(bool withChecksum = true)
    {
        byte[] body = [.. "REDIS0010"u8, 0xFE, 0x00, 0xFB, 0x01, 0x00, 0x00, 0x03, .. "key"u8, 0x05, .. "value"u8, 0xFF];
        var rdb = new byte[body.Length + 8];
        body.CopyTo(rdb, 0);
        BinaryPrimitives.WriteUInt64LittleEndian(rdb.AsSpan(body.Length), withChecksum ? Crc64.Compute(body) : 0);
        return rdb;
    }

    /// <summary>Answers REPLCONF capa eof and REPLCONF rdb-only with +OK and consumes PSYNC.</summary>
    public static async Task HandshakeAsync(Session session)
    {
        Assert.Equal(["REPLCONF", "capa", "eof"], await session.ReadCommandAsync());
        await session.SendAsync("+OK\r\n");
        Assert.Equal(["REPLCONF", "rdb-only", "1"], await session.ReadCommandAsync());
        await session.SendAsync("+OK\r\n");
        Assert.Equal(["PSYNC", "?", "-1"], await session.ReadCommandAsync());
    }

    private async Task ServeAsync(Func<Session, CancellationToken, Task> script)
    {
        try
        {
            using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            client.NoDelay = true;
            await script(new Session(client.GetStream()), _stop.Token);

            // Leaving closes the connection (FIN, not RST: every command the client sent has been read).
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException)
        {
            // The test is over or the client went away.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _serving;
        _stop.Dispose();
    }

    internal sealed class Session(NetworkStream stream)
    {
        private readonly List<byte> _pending = [];

        public Task SendAsync(string text) => SendAsync(Encoding.ASCII.GetBytes(text));

        public async Task SendAsync(byte[] bytes)
        {
            await stream.WriteAsync(bytes);
            await stream.FlushAsync();
        }

        /// <summary>Reads one RESP array of bulk strings.</summary>
        public async Task<string[]> ReadCommandAsync()
        {
            int count = int.Parse((await ReadLineAsync())[1..], System.Globalization.CultureInfo.InvariantCulture);
            var parts = new string[count];
            for (int i = 0; i < count; i++)
            {
                await ReadLineAsync(); // $<len>; arguments here never contain CRLF
                parts[i] = await ReadLineAsync();
            }

            return parts;
        }

        private async Task<string> ReadLineAsync()
        {
            var buffer = new byte[1];
            while (true)
            {
                int newline = _pending.IndexOf((byte)'\n');
                if (newline >= 0)
                {
                    string line = Encoding.UTF8.GetString(_pending.GetRange(0, newline).ToArray()).TrimEnd('\r');
                    _pending.RemoveRange(0, newline + 1);
                    return line;
                }

                if (await stream.ReadAsync(buffer) == 0)
                {
                    throw new IOException("client closed");
                }

                _pending.Add(buffer[0]);
            }
        }
    }
}

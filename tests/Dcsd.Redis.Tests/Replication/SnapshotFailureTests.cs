using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Dcsd.Redis.Protocol;
using Dcsd.Redis.Replication;
using Dcsd.Testing;

namespace Dcsd.Redis.Tests.Replication;

/// <summary>Protocol edge cases and failures, played by a scripted loopback master.</summary>
public sealed class SnapshotFailureTests
{
    private static SnapshotSource Source(int port, TimeSpan? idle = null, TimeSpan? total = null) => new()
    {
        Host = "127.0.0.1",
        Port = port,
        IdleTimeout = idle ?? TimeSpan.FromSeconds(10),
        TotalTimeout = total ?? TimeSpan.FromSeconds(30),
    };

    [Fact]
    public async Task A_diskless_stream_in_tiny_pieces_with_newlines_around_it_yields_exactly_the_rdb()
    {
        byte[] rdb = FakeMaster.BuildRdb();
        byte[] wire = [.. "\n\n$EOF:"u8, .. Encoding.ASCII.GetBytes(FakeMaster.Marker), .. "\r\n"u8, .. rdb, .. Encoding.ASCII.GetBytes(FakeMaster.Marker), .. "\n\n"u8];
        await using var fake = new FakeMaster(async (session, ct) =>
        {
            await FakeMaster.HandshakeAsync(session);
            await session.SendAsync($"\n\n+FULLRESYNC {FakeMaster.ReplicationId} 4242\r\n");

            // Three bytes at a time puts the marker across many reads, so only a rolling window finds it.
            foreach (byte[] piece in wire.Chunk(3))
            {
                await session.SendAsync(piece);
                await Task.Delay(1, ct);
            }
        });
        using var temp = new TempDirectory();

        var result = await SnapshotFiles.FetchToFileAsync(Source(fake.Port), temp.Combine("x.rdb"));

        Assert.Equal(rdb, await File.ReadAllBytesAsync(temp.Combine("x.rdb")));
        Assert.Equal(SnapshotTransferMode.Diskless, result.Mode);
        Assert.True(result.ChecksumPresent);
        Assert.Equal(10, result.RdbVersion);
        Assert.Equal(FakeMaster.ReplicationId, result.ReplicationId);
        Assert.Equal(4242, result.ReplicationOffset);
    }

    [Fact]
    public async Task Old_servers_rejecting_REPLCONF_and_PSYNC_are_served_with_SYNC_and_a_counted_bulk()
    {
        byte[] rdb = FakeMaster.BuildRdb(withChecksum: false);
        await using var fake = new FakeMaster(async (session, _) =>
        {
            Assert.Equal("REPLCONF", (await session.ReadCommandAsync())[0]);
            await session.SendAsync("-ERR Unrecognized REPLCONF option: capa\r\n");
            Assert.Equal("REPLCONF", (await session.ReadCommandAsync())[0]);
            await session.SendAsync("-ERR Unrecognized REPLCONF option: rdb-only\r\n");
            Assert.Equal("PSYNC", (await session.ReadCommandAsync())[0]);
            await session.SendAsync("-ERR unknown command 'PSYNC'\r\n");
            Assert.Equal(["SYNC"], await session.ReadCommandAsync());
            await session.SendAsync([.. "\n\n$"u8, .. Encoding.ASCII.GetBytes(rdb.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)), .. "\r\n"u8, .. rdb, .. "*1\r\n$4\r\nPING\r\n"u8]);
        });
        using var temp = new TempDirectory();

        var result = await SnapshotFiles.FetchToFileAsync(Source(fake.Port), temp.Combine("x.rdb"));

        Assert.Equal(rdb, await File.ReadAllBytesAsync(temp.Combine("x.rdb")));
        Assert.Equal(SnapshotTransferMode.Counted, result.Mode);
        Assert.False(result.ChecksumPresent);
        Assert.Null(result.ReplicationId);
        Assert.Null(result.ReplicationOffset);
    }

    [Fact]
    public async Task A_host_name_is_resolved()
    {
        // The fake listens on 127.0.0.1 only. Where "localhost" also lists ::1 first, this also covers trying the
        // next address; on hosts where it resolves to 127.0.0.1 alone it covers name resolution only.
        byte[] rdb = FakeMaster.BuildRdb();
        await using var fake = new FakeMaster(async (session, _) =>
        {
            await FakeMaster.HandshakeAsync(session);
            await session.SendAsync($"+FULLRESYNC {FakeMaster.ReplicationId} 7\r\n${rdb.Length}\r\n");
            await session.SendAsync(rdb);
        });
        using var temp = new TempDirectory();

        var result = await SnapshotFiles.FetchToFileAsync(new SnapshotSource { Host = "localhost", Port = fake.Port }, temp.Combine("x.rdb"));

        Assert.Equal(SnapshotTransferMode.Counted, result.Mode);
        Assert.Equal(rdb, await File.ReadAllBytesAsync(temp.Combine("x.rdb")));
    }

    [Fact]
    public async Task A_truncated_counted_bulk_is_ConnectionLost()
    {
        byte[] rdb = FakeMaster.BuildRdb();
        await using var fake = new FakeMaster(async (session, _) =>
        {
            await FakeMaster.HandshakeAsync(session);
            await session.SendAsync($"+FULLRESYNC {FakeMaster.ReplicationId} 0\r\n${rdb.Length + 100}\r\n");
            await session.SendAsync(rdb);
        });

        var error = await FetchFailsAsync(Source(fake.Port));

        Assert.Equal(RedisFailureKind.ConnectionLost, error.Kind);
        Assert.Contains($"after {rdb.Length} of {rdb.Length + 100}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_diskless_stream_closed_before_the_marker_is_ConnectionLost()
    {
        byte[] rdb = FakeMaster.BuildRdb();
        await using var fake = new FakeMaster(async (session, _) =>
        {
            await FakeMaster.HandshakeAsync(session);
            await session.SendAsync($"+FULLRESYNC {FakeMaster.ReplicationId} 0\r\n$EOF:{FakeMaster.Marker}\r\n");
            await session.SendAsync([.. rdb, .. Encoding.ASCII.GetBytes(FakeMaster.Marker[..39])]);
        });

        var error = await FetchFailsAsync(Source(fake.Port));

        Assert.Equal(RedisFailureKind.ConnectionLost, error.Kind);
    }

    [Fact]
    public async Task A_diskless_stream_with_a_wrong_crc_is_Corrupt()
    {
        byte[] rdb = FakeMaster.BuildRdb();
        rdb[^1] ^= 0x5A;
        await using var fake = new FakeMaster(async (session, _) =>
        {
            await FakeMaster.HandshakeAsync(session);
            await session.SendAsync($"+FULLRESYNC {FakeMaster.ReplicationId} 0\r\n$EOF:{FakeMaster.Marker}\r\n");
            await session.SendAsync([.. rdb, .. Encoding.ASCII.GetBytes(FakeMaster.Marker)]);
        });

        var error = await FetchFailsAsync(Source(fake.Port));

        Assert.Equal(RedisFailureKind.Corrupt, error.Kind);
        Assert.Contains("CRC64 mismatch", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_payload_without_the_REDIS_magic_is_Corrupt()
    {
        byte[] garbage = Encoding.ASCII.GetBytes("HTTP/1.1 400 Bad Request\r\n\r\n");
        await using var fake = new FakeMaster(async (session, _) =>
        {
            await FakeMaster.HandshakeAsync(session);
            await session.SendAsync($"+FULLRESYNC {FakeMaster.ReplicationId} 0\r\n${garbage.Length}\r\n");
            await session.SendAsync(garbage);
        });

        var error = await FetchFailsAsync(Source(fake.Port));

        Assert.Equal(RedisFailureKind.Corrupt, error.Kind);
    }

    [Fact]
    public async Task A_server_that_never_answers_times_out_within_the_idle_timeout()
    {
        await using var fake = new FakeMaster(async (session, ct) =>
        {
            await session.ReadCommandAsync();
            await Task.Delay(Timeout.Infinite, ct);
        });
        var stopwatch = Stopwatch.StartNew();

        var error = await FetchFailsAsync(Source(fake.Port, idle: TimeSpan.FromMilliseconds(500)));

        Assert.Equal(RedisFailureKind.Timeout, error.Kind);
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromMilliseconds(450), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Keep_alives_forever_end_at_the_total_timeout()
    {
        await using var fake = new FakeMaster(async (session, ct) =>
        {
            await FakeMaster.HandshakeAsync(session);
            while (true)
            {
                await session.SendAsync("\n");
                await Task.Delay(100, ct);
            }
        });
        var stopwatch = Stopwatch.StartNew();

        // The idle timeout alone would never fire: a newline arrives every 100 ms, fifteen times within the idle timeout
        // (the margin keeps a loaded CI machine from stretching a gap past it).
        var error = await FetchFailsAsync(Source(fake.Port, idle: TimeSpan.FromMilliseconds(1500), total: TimeSpan.FromSeconds(3)));

        Assert.Equal(RedisFailureKind.Timeout, error.Kind);
        Assert.Contains("did not finish within", error.Message, StringComparison.Ordinal);
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromSeconds(2.9), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Cancellation_aborts_a_waiting_fetch_promptly()
    {
        await using var fake = new FakeMaster(async (session, ct) =>
        {
            await session.ReadCommandAsync();
            await Task.Delay(Timeout.Infinite, ct);
        });
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var stopwatch = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => ReplicationSnapshotClient.FetchAsync(Source(fake.Port), Stream.Null, cancellationToken: cancellation.Token));

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(3), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task Nothing_listening_is_Unreachable()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var error = await FetchFailsAsync(Source(port));

        Assert.Equal(RedisFailureKind.Unreachable, error.Kind);
        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
        Assert.IsType<SocketException>(error.InnerException);
    }

    private static async Task<RedisFailureException> FetchFailsAsync(SnapshotSource source)
    {
        using var temp = new TempDirectory();
        return await Assert.ThrowsAsync<RedisFailureException>(() => SnapshotFiles.FetchToFileAsync(source, temp.Combine("x.rdb")));
    }
}

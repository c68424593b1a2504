using System.Net;
using System.Net.Sockets;
using Dcsd.Redis.Protocol;
using Dcsd.Redis.Restore;
using Dcsd.Testing;

namespace Dcsd.Redis.Tests.Restore;

public sealed class CompatibilityAndFailureTests
{
    [Fact]
    public async Task A_file_that_breaks_off_during_the_full_sync_fails_the_restore_and_the_target_is_a_master_with_its_settings()
    {
        using var directory = new TempDirectory("dcsd-restore-broken-read");
        await using (var source = await TestRedis.StartAsync())
        {
            await source.Db().ExecuteAsync("DEBUG", "POPULATE", 200_000, "key", 64);
            await source.Db().ExecuteAsync("SAVE");
            File.Copy(Path.Combine(source.Server.Directory, "dump.rdb"), directory.Combine("dump.rdb"));
        }

        await using var target = await TestRedis.StartAsync();
        await using var file = new BreaksOffStream(File.OpenRead(directory.Combine("dump.rdb")));

        var error = await Assert.ThrowsAsync<RedisFailureException>(() => ReplicationRestore.RunAsync(file, file.Length, RoundTripTests.Target(target), null, CancellationToken.None));

        Assert.Equal(RedisFailureKind.FileUnreadable, error.Kind);
        Assert.StartsWith("reading the backup file failed", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("the read broke off", error.Message, StringComparison.Ordinal); // exception text stays in the log, out of the record
        Assert.True(await target.Server.PingAsync());
        Assert.Contains("role:master", await target.Admin.InfoRawAsync("replication"), StringComparison.Ordinal);
        Assert.Equal("disabled", (await target.Admin.ConfigGetAsync("repl-diskless-load")).Single().Value);
    }

    /// <summary>A file whose reads fail half-way, as a disk or a remote store can.</summary>
    private sealed class BreaksOffStream(FileStream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position { get => inner.Position; set => inner.Position = value; }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (inner.Position > inner.Length / 2)
            {
                throw new IOException("the read broke off");
            }

            return inner.Read(buffer[..Math.Min(buffer.Length, 64 * 1024)]);
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    [Fact]
    public async Task A_newer_file_restores_into_redis_7_0_with_restamped_payloads_and_native_commands_for_new_types()
    {
        using var directory = new TempDirectory("dcsd-restore-rdb11");
        string path = directory.Combine("v11.rdb");
        new HandMadeRdb(11).SelectDb(0).String("plain", "value").SetListpack("newset", "a", "b", "c").SelectDb(2).String("other", "x").SaveTo(path);
        await using var target = await TestRedis.StartAsync();
        await target.Db().StringSetAsync("stale", "gone");

        await using (var file = File.OpenRead(path))
        {
            RestoreResult result = await CommandRestore.RunAsync(file, RoundTripTests.Target(target), null, null, CancellationToken.None);
            Assert.Equal(3, result.Keys);
        }

        Assert.Equal("value", (string?)await target.Db().StringGetAsync("plain"));
        Assert.Equal(["a", "b", "c"], (await target.Db().SetMembersAsync("newset")).Select(m => (string)m!).Order());
        Assert.Equal("x", (string?)await target.Db(2).StringGetAsync("other"));
        Assert.False(await target.Db().KeyExistsAsync("stale"));

        // The replication engine cannot serve an RDB 11 file to a Redis that loads RDB 10 at most.
        await using (var file = File.OpenRead(path))
        {
            var error = await Assert.ThrowsAsync<RedisFailureException>(() => ReplicationRestore.RunAsync(file, file.Length, RoundTripTests.Target(target), null, CancellationToken.None));
            Assert.Equal(RedisFailureKind.Incompatible, error.Kind);
        }

        Assert.Equal(RestoreEngineKind.RestoreCommands, await RestoreEngineSelector.ChooseAsync(RoundTripTests.Target(target), 11, CancellationToken.None));
    }

    [Fact]
    public async Task A_type_the_target_cannot_take_fails_with_the_key_and_the_reply()
    {
        using var directory = new TempDirectory("dcsd-restore-rdb12");
        string path = directory.Combine("v12.rdb");
        new HandMadeRdb(12).SelectDb(0).String("fine", "1").HashWithFieldTtl("hfe-hash", "f", "v", 4_102_444_800_000).SaveTo(path);
        await using var target = await TestRedis.StartAsync();

        await using var file = File.OpenRead(path);
        var error = await Assert.ThrowsAsync<RedisFailureException>(() => CommandRestore.RunAsync(file, RoundTripTests.Target(target), null, null, CancellationToken.None));

        // Redis 7.0 has neither the listpack-ex type nor HPEXPIREAT: the native fallback is refused, naming the key.
        Assert.Equal(RedisFailureKind.Refused, error.Kind);
        Assert.Contains("HPEXPIREAT of key 'hfe-hash' (db 0)", error.Message, StringComparison.Ordinal);
        Assert.Contains("unknown command", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_target_fails_fast_for_both_engines_and_the_selector()
    {
        int port = UnusedPort();
        var target = new RestoreTarget { Host = "127.0.0.1", Port = port, Password = "secret-never-shown" };
        using var rdb = new MemoryStream("REDIS0010\xff"u8.ToArray());

        var restore = await Assert.ThrowsAsync<RedisFailureException>(() => CommandRestore.RunAsync(rdb, target, null, null, CancellationToken.None));
        var replication = await Assert.ThrowsAsync<RedisFailureException>(() => ReplicationRestore.RunAsync(new MemoryStream(new byte[20]), 20, target, null, CancellationToken.None));
        var selector = await Assert.ThrowsAsync<RedisFailureException>(() => RestoreEngineSelector.ChooseAsync(target, 10, CancellationToken.None));

        Assert.All([restore, selector], e => Assert.Equal(RedisFailureKind.Unreachable, e.Kind));
        Assert.Equal(RedisFailureKind.Corrupt, replication.Kind); // a file that is not an RDB is refused before connecting
        Assert.All([restore, replication, selector], e => Assert.DoesNotContain("secret-never-shown", e.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_wrong_password_is_an_authentication_failure_without_the_password_in_the_message()
    {
        await using var target = await TestRedis.StartAsync("right-password");
        var wrong = new RestoreTarget { Host = "127.0.0.1", Port = target.Port, Password = "wrong-password" };
        var none = new RestoreTarget { Host = "127.0.0.1", Port = target.Port };
        byte[] rdb = await MinimalRdbAsync();

        var restore = await Assert.ThrowsAsync<RedisFailureException>(() => CommandRestore.RunAsync(new MemoryStream(rdb), wrong, null, null, CancellationToken.None));
        var replication = await Assert.ThrowsAsync<RedisFailureException>(() => ReplicationRestore.RunAsync(new MemoryStream(rdb), rdb.Length, wrong, null, CancellationToken.None));
        var withoutPassword = await Assert.ThrowsAsync<RedisFailureException>(() => CommandRestore.RunAsync(new MemoryStream(rdb), none, null, null, CancellationToken.None));

        Assert.All([restore, replication, withoutPassword], e => Assert.Equal(RedisFailureKind.AuthenticationFailed, e.Kind));
        Assert.All([restore, replication], e => Assert.DoesNotContain("wrong-password", e.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_target_that_never_answers_times_out_instead_of_hanging()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new List<Socket>();
        _ = Task.Run(async () =>
        {
            while (true)
            {
                accepted.Add(await silent.AcceptSocketAsync());
            }
        });
        var target = new RestoreTarget { Host = "127.0.0.1", Port = ((IPEndPoint)silent.LocalEndpoint).Port, IdleTimeout = TimeSpan.FromSeconds(1) };
        byte[] rdb = await MinimalRdbAsync();

        var restore = await Assert.ThrowsAsync<RedisFailureException>(() => CommandRestore.RunAsync(new MemoryStream(rdb), target, null, null, CancellationToken.None));
        var replication = await Assert.ThrowsAsync<RedisFailureException>(() => ReplicationRestore.RunAsync(new MemoryStream(rdb), rdb.Length, target, null, CancellationToken.None));

        Assert.All([restore, replication], e => Assert.Equal(RedisFailureKind.Timeout, e.Kind));
        accepted.ForEach(s => s.Dispose());
    }

    private static async Task<byte[]> MinimalRdbAsync()
    {
        using var directory = new TempDirectory("dcsd-restore-min");
        string path = directory.Combine("min.rdb");
        new HandMadeRdb(10).SelectDb(0).String("k", "v").SaveTo(path);
        return await File.ReadAllBytesAsync(path);
    }

    private static int UnusedPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}

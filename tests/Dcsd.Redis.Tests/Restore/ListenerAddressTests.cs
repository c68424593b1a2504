using Dcsd.Redis.Restore;
using Dcsd.Testing;

namespace Dcsd.Redis.Tests.Restore;

/// <summary>
/// The replication engine against targets that cannot reach dcsd (a target on another host, with dcsd's listener on
/// loopback or behind a firewall): it falls back to RESTORE commands after the link timeout, and says so.
/// </summary>
public sealed class ListenerAddressTests : IClassFixture<RestoreSourceFixture>
{
    private readonly RestoreSourceFixture _source;

    public ListenerAddressTests(RestoreSourceFixture source)
    {
        _source = source;
    }

    [Fact]
    public async Task A_target_that_cannot_reach_the_advertised_address_gets_the_data_through_restore_commands()
    {
        await using var target = await TestRedis.StartAsync("target-pass", ["masterauth original-masterauth"]);
        await RestoreAssertions.WriteStaleContentAsync(target);

        // 127.0.0.2 is loopback too, but the listener binds 127.0.0.1 only: the target's connects are refused, as from another host.
        var unreachable = new ReplicationListenerOptions { AdvertiseAddress = "127.0.0.2", LinkTimeout = TimeSpan.FromSeconds(2) };
        await using var file = File.OpenRead(_source.RdbPath);
        RestoreResult result = await ReplicationRestore.RunAsync(file, file.Length, RoundTripTests.Target(target), unreachable, null, CancellationToken.None);

        Assert.Equal(RestoreEngineKind.RestoreCommands, result.Engine);
        Assert.Contains("did not connect to dcsd's replication listener at 127.0.0.2:", result.FallbackReason, StringComparison.Ordinal);
        Assert.Contains("within 2 s", result.FallbackReason, StringComparison.Ordinal);
        await RestoreAssertions.AssertSameAsSourceAsync(_source, target);
        await AssertPutBackAsync(target);
    }

    [Fact]
    public async Task A_closed_advertised_port_falls_back_too()
    {
        await using var target = await TestRedis.StartAsync("target-pass", ["masterauth original-masterauth"]);
        var closedPort = new ReplicationListenerOptions { AdvertisePort = 1, LinkTimeout = TimeSpan.FromSeconds(2) };
        await using var file = File.OpenRead(_source.RdbPath);
        RestoreResult result = await ReplicationRestore.RunAsync(file, file.Length, RoundTripTests.Target(target), closedPort, null, CancellationToken.None);

        Assert.Equal(RestoreEngineKind.RestoreCommands, result.Engine);
        await RestoreAssertions.AssertSameAsSourceAsync(_source, target);
        await AssertPutBackAsync(target);
    }

    [Fact]
    public async Task The_replica_authenticates_with_a_one_time_secret_and_the_target_gets_its_masterauth_back()
    {
        // The target's masterauth is not the instance password: with the old engine (listener password = instance password)
        // this target could not have authenticated; the one-time secret makes that irrelevant.
        await using var target = await TestRedis.StartAsync("target-pass", ["masterauth original-masterauth"]);
        await using var file = File.OpenRead(_source.RdbPath);
        RestoreResult result = await ReplicationRestore.RunAsync(file, file.Length, RoundTripTests.Target(target), new ReplicationListenerOptions(), null, CancellationToken.None);

        Assert.Equal(RestoreEngineKind.Replication, result.Engine);
        Assert.Null(result.FallbackReason);
        await RestoreAssertions.AssertSameAsSourceAsync(_source, target);
        await AssertPutBackAsync(target);
    }

    private static async Task AssertPutBackAsync(TestRedis target)
    {
        Assert.Contains("role:master", await target.Admin.InfoRawAsync("replication"), StringComparison.Ordinal);
        var masterauth = (await target.Db().ExecuteAsync("CONFIG", "GET", "masterauth")).ToDictionary();
        Assert.Equal("original-masterauth", masterauth["masterauth"].ToString());
        var disklessLoad = (await target.Db().ExecuteAsync("CONFIG", "GET", "repl-diskless-load")).ToDictionary();
        Assert.Equal("disabled", disklessLoad["repl-diskless-load"].ToString());
    }
}

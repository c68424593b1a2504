using Dcsd.Redis.Protocol;
using Dcsd.Redis.Replication;
using Dcsd.Testing;

namespace Dcsd.Redis.Tests.Replication;

public sealed class ReplicationInfoTests
{
    private const string MasterSample = """
        # Replication
        role:master
        connected_slaves:2
        slave0:ip=127.0.0.1,port=6380,state=online,offset=1234,lag=0
        slave1:ip=10.0.0.7,port=0,state=wait_bgsave,offset=0,lag=3
        master_failover_state:no-failover
        master_replid:8de1787ba490483314a4d30f1c628bc5025eb761
        master_replid2:0000000000000000000000000000000000000000
        master_repl_offset:1300
        second_repl_offset:-1
        repl_backlog_active:1
        """;

    private const string ReplicaSample = "# Replication\r\nrole:slave\r\nmaster_host:127.0.0.1\r\nmaster_port:6379\r\n"
        + "master_link_status:up\r\nmaster_last_io_seconds_ago:1\r\nmaster_sync_in_progress:0\r\nslave_read_repl_offset:1234\r\n"
        + "slave_repl_offset:1234\r\nslave_priority:100\r\nslave_read_only:1\r\nreplica_announced:1\r\nconnected_slaves:0\r\n"
        + "master_replid:8de1787ba490483314a4d30f1c628bc5025eb761\r\nmaster_repl_offset:1234\r\n";

    [Fact]
    public void Parses_a_master_with_its_replicas()
    {
        var info = ReplicationInfo.Parse(MasterSample);

        Assert.Equal(ReplicationRole.Master, info.Role);
        Assert.Equal(1300, info.MasterReplicationOffset);
        Assert.Equal(2, info.ConnectedReplicaCount);
        Assert.Equal(
            [new ConnectedReplica("127.0.0.1", 6380, "online", 1234, 0), new ConnectedReplica("10.0.0.7", 0, "wait_bgsave", 0, 3)],
            info.ConnectedReplicas);
        Assert.False(info.MasterLinkUp);
    }

    [Fact]
    public void A_replica_is_in_sync_only_within_the_allowed_lag_with_its_link_up_and_not_loading()
    {
        var master = ReplicationInfo.Parse(MasterSample);
        var replica = ReplicationInfo.Parse(ReplicaSample);

        Assert.Equal(ReplicationRole.Replica, replica.Role);
        Assert.Equal(1234, replica.ReplicaOffset);
        Assert.Equal("127.0.0.1", replica.MasterHost);
        Assert.Equal(6379, replica.MasterPort);
        Assert.True(replica.IsInSyncWith(master, maxOffsetLag: 66));
        Assert.False(replica.IsInSyncWith(master, maxOffsetLag: 65));
        Assert.False((replica with { MasterLinkUp = false }).IsInSyncWith(master, 1000));
        Assert.False((replica with { MasterSyncInProgress = true }).IsInSyncWith(master, 1000));
        Assert.False((replica with { ReplicationId = "other" }).IsInSyncWith(master, 1000));
        Assert.False(master.IsInSyncWith(master, 1000));
    }

    [Fact]
    public void Rejects_text_without_a_role()
    {
        Assert.Throws<RedisFailureException>(() => ReplicationInfo.Parse("# Server\r\nredis_version:7.0.15\r\n"));
    }

    [Fact]
    public async Task Parses_what_real_servers_report()
    {
        await using var master = await TestRedis.StartAsync(configLines: ["repl-diskless-sync-delay 0"]);
        await using var replica = await TestRedis.StartReplicaAsync(master);
        await master.Db().StringSetAsync("k", "v");
        ReplicationInfo masterInfo;
        ReplicationInfo replicaInfo;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        do
        {
            await Task.Delay(50);
            masterInfo = ReplicationInfo.Parse((await master.Admin.InfoRawAsync("replication"))!);
            replicaInfo = ReplicationInfo.Parse((await replica.Admin.InfoRawAsync("replication"))!);
        }
        while (!replicaInfo.IsInSyncWith(masterInfo, 0) && DateTime.UtcNow < deadline);

        Assert.True(replicaInfo.IsInSyncWith(masterInfo, 0));
        Assert.Equal(master.Port, replicaInfo.MasterPort);
        var connected = Assert.Single(masterInfo.ConnectedReplicas);
        Assert.Equal(replica.Port, connected.Port);
        Assert.Equal("online", connected.State);
        Assert.Equal(1, masterInfo.ConnectedReplicaCount);
    }
}

namespace Dcsd.Redis.Protocol;

public enum ReplicationRole
{
    Master,
    Replica,
}

/// <summary>One <c>slaveN:ip=...,port=...,state=...,offset=...,lag=...</c> line of a master's INFO replication.</summary>
/// <param name="State">wait_bgsave, send_bulk or online.</param>
/// <param name="Offset">The replication offset the replica last acknowledged.</param>
/// <param name="LagSeconds">Seconds since the replica's last ACK.</param>
public sealed record ConnectedReplica(string Ip, int Port, string State, long Offset, long LagSeconds);

/// <summary>The parts of <c>INFO replication</c> that decide whether a node can serve a consistent snapshot.</summary>
public sealed record ReplicationInfo
{
    public required ReplicationRole Role { get; init; }

    /// <summary>master_replid: the replication history this node follows (a replica inherits its master's).</summary>
    public string? ReplicationId { get; init; }

    /// <summary>master_repl_offset: how far this node's replication stream goes.</summary>
    public long? MasterReplicationOffset { get; init; }

    public string? MasterHost { get; init; }

    public int? MasterPort { get; init; }

    /// <summary>master_link_status:up on a replica; false on a master.</summary>
    public bool MasterLinkUp { get; init; }

    /// <summary>master_sync_in_progress:1 while the replica loads a full sync (its data is incomplete).</summary>
    public bool MasterSyncInProgress { get; init; }

    /// <summary>slave_repl_offset: what a replica has processed from its master.</summary>
    public long? ReplicaOffset { get; init; }

    public int ConnectedReplicaCount { get; init; }

    public IReadOnlyList<ConnectedReplica> ConnectedReplicas { get; init; } = [];

    /// <summary>
    /// True when this node is a replica of <paramref name="master"/>'s history whose link is up, which is not
    /// loading a full sync, and which trails the master by at most <paramref name="maxOffsetLag"/> bytes.
    /// </summary>
    public bool IsInSyncWith(ReplicationInfo master, long maxOffsetLag)
    {
        ArgumentNullException.ThrowIfNull(master);
        return Role == ReplicationRole.Replica
            && MasterLinkUp
            && !MasterSyncInProgress
            && ReplicaOffset is { } replicaOffset
            && master.MasterReplicationOffset is { } masterOffset
            && string.Equals(ReplicationId, master.ReplicationId, StringComparison.Ordinal)
            && masterOffset - replicaOffset <= maxOffsetLag;
    }

    /// <summary>Parses the text of <c>INFO replication</c> (or a full INFO; other sections are ignored).</summary>
    public static ReplicationInfo Parse(string info) => From(InfoSection.Parse(info));

    public static ReplicationInfo From(InfoSection info)
    {
        ArgumentNullException.ThrowIfNull(info);
        ReplicationRole role = info.Get("role") switch
        {
            "master" => ReplicationRole.Master,
            "slave" or "replica" => ReplicationRole.Replica,
            var other => throw new RedisFailureException(RedisFailureKind.ProtocolViolation, $"INFO replication has role '{other}'; expected master or slave"),
        };

        return new ReplicationInfo
        {
            Role = role,
            ReplicationId = info.Get("master_replid"),
            MasterReplicationOffset = info.GetLong("master_repl_offset"),
            MasterHost = info.Get("master_host"),
            MasterPort = (int?)info.GetLong("master_port"),
            MasterLinkUp = info.Get("master_link_status") == "up",
            MasterSyncInProgress = info.IsSet("master_sync_in_progress"),
            ReplicaOffset = info.GetLong("slave_repl_offset"),
            ConnectedReplicaCount = (int)(info.GetLong("connected_slaves") ?? 0),
            ConnectedReplicas = [.. info.Fields.Where(field => IsReplicaLine(field.Key, field.Value)).OrderBy(field => int.Parse(field.Key.AsSpan("slave".Length), System.Globalization.CultureInfo.InvariantCulture)).Select(field => ParseReplica(field.Value))],
        };
    }

    // "slave0:ip=..." (as opposed to "slave_repl_offset:..." or "slave_priority:...").
    private static bool IsReplicaLine(string key, string value) =>
        key.Length > "slave".Length
        && key.StartsWith("slave", StringComparison.Ordinal)
        && !key.AsSpan("slave".Length).ContainsAnyExceptInRange('0', '9')
        && value.Contains('=', StringComparison.Ordinal);

    private static ConnectedReplica ParseReplica(string value) => new(
        InfoSection.AttributeText(value, "ip") ?? string.Empty,
        (int)(InfoSection.Attribute(value, "port") ?? 0),
        InfoSection.AttributeText(value, "state") ?? string.Empty,
        InfoSection.Attribute(value, "offset") ?? 0,
        InfoSection.Attribute(value, "lag") ?? 0);
}

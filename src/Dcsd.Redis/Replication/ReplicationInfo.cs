using System.Globalization;

namespace Dcsd.Redis.Replication;

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
    public static ReplicationInfo Parse(string info)
    {
        ArgumentNullException.ThrowIfNull(info);
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var replicas = new List<ConnectedReplica>();
        foreach (string rawLine in info.Split('\n'))
        {
            string line = rawLine.TrimEnd('\r');
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (line.Length == 0 || line[0] == '#' || colon <= 0)
            {
                continue;
            }

            string key = line[..colon];
            string value = line[(colon + 1)..];
            if (IsReplicaLine(key, value))
            {
                replicas.Add(ParseReplica(value));
            }
            else
            {
                fields[key] = value;
            }
        }

        ReplicationRole role = fields.GetValueOrDefault("role") switch
        {
            "master" => ReplicationRole.Master,
            "slave" or "replica" => ReplicationRole.Replica,
            var other => throw new FormatException($"INFO replication has role '{other}'; expected master or slave"),
        };

        return new ReplicationInfo
        {
            Role = role,
            ReplicationId = fields.GetValueOrDefault("master_replid"),
            MasterReplicationOffset = Long(fields, "master_repl_offset"),
            MasterHost = fields.GetValueOrDefault("master_host"),
            MasterPort = (int?)Long(fields, "master_port"),
            MasterLinkUp = fields.GetValueOrDefault("master_link_status") == "up",
            MasterSyncInProgress = fields.GetValueOrDefault("master_sync_in_progress") == "1",
            ReplicaOffset = Long(fields, "slave_repl_offset"),
            ConnectedReplicaCount = (int)(Long(fields, "connected_slaves") ?? 0),
            ConnectedReplicas = replicas,
        };
    }

    // "slave0:ip=..." (as opposed to "slave_repl_offset:..." or "slave_priority:...").
    private static bool IsReplicaLine(string key, string value) =>
        key.Length > "slave".Length
        && key.StartsWith("slave", StringComparison.Ordinal)
        && key.AsSpan("slave".Length).ContainsAnyExceptInRange('0', '9') == false
        && value.Contains('=', StringComparison.Ordinal);

    private static ConnectedReplica ParseReplica(string value)
    {
        var parts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string pair in value.Split(','))
        {
            int equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                parts[pair[..equals]] = pair[(equals + 1)..];
            }
        }

        return new ConnectedReplica(
            parts.GetValueOrDefault("ip") ?? string.Empty,
            (int)(Long(parts, "port") ?? 0),
            parts.GetValueOrDefault("state") ?? string.Empty,
            Long(parts, "offset") ?? 0,
            Long(parts, "lag") ?? 0);
    }

    private static long? Long(Dictionary<string, string> fields, string key) =>
        fields.TryGetValue(key, out string? text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value)
            ? value
            : null;
}

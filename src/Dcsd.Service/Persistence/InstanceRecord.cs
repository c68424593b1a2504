namespace Dcsd.Service.Persistence;

internal static class InstanceStatus
{
    public const string Creating = "CREATING";
    public const string CreateFailed = "CREATEFAILED";
    public const string Running = "RUNNING";
    public const string Error = "ERROR";
    public const string Restoring = "RESTORING";
}

internal static class CacheModes
{
    public const string Single = "single";
    public const string Ha = "ha";
    public const string Cluster = "cluster";
}

/// <summary>
/// One redis-server of an instance. Role is "master" or "replica"; <paramref name="Shard"/> is the shard's position by first
/// slot (0 outside cluster mode). <paramref name="Directory"/> is empty for a node dcsd adopted and does not run.
/// </summary>
internal sealed record NodeRecord(string Role, int Port, string Directory, int Shard = 0, string Host = NodeRecord.LocalHost)
{
    public const string LocalHost = "127.0.0.1";

    public string EndPoint => Host + ":" + Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

internal sealed record InstanceRecord
{
    public required string Id { get; init; }

    public required string ProjectId { get; init; }

    public required string Name { get; init; }

    public string? Description { get; init; }

    public required string Engine { get; init; }

    public required string EngineVersion { get; init; }

    public required string CacheMode { get; init; }

    public required string SpecCode { get; init; }

    /// <summary>GB, as DCS counts capacity (0.125 is 128 MB).</summary>
    public required double Capacity { get; init; }

    public string? Password { get; init; }

    /// <summary>DEBUG is off on every node unless the instance was created asking for it (dcsd's enable_debug_command).</summary>
    public bool DebugCommandEnabled { get; init; }

    public required string Status { get; init; }

    public required IReadOnlyList<NodeRecord> Nodes { get; init; }

    /// <summary>Number of shards: 1 outside cluster mode.</summary>
    public int ShardingCount { get; init; } = 1;

    /// <summary>
    /// For an adopted deployment, the host:port list it was adopted by: dcsd never starts or stops its processes and
    /// re-reads its topology from these (and the nodes last seen) before every job. Null for instances dcsd runs.
    /// </summary>
    public IReadOnlyList<string>? AdoptedSeeds { get; init; }

    public bool IsAdopted => AdoptedSeeds is not null;

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    public NodeRecord? Master => Nodes.FirstOrDefault(n => n.Role == NodeRoles.Master);

    public long MaxMemoryBytes => (long)(Capacity * 1024 * 1024 * 1024);
}

internal static class NodeRoles
{
    public const string Master = "master";
    public const string Replica = "replica";
}

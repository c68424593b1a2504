using Dcsd.Redis.Protocol;

namespace Dcsd.Redis.Restore;

/// <summary>What the engines need to know about the target: its Redis version, the RDB version it writes and reads, cluster mode.</summary>
internal sealed record TargetServerInfo(Version RedisVersion, int RdbVersion, bool ClusterEnabled)
{
    public static async Task<TargetServerInfo> ReadAsync(RedisNodeClient connection, CancellationToken cancellationToken)
    {
        InfoSection server = await connection.InfoAsync("server", cancellationToken).ConfigureAwait(false);
        InfoSection cluster = await connection.InfoAsync("cluster", cancellationToken).ConfigureAwait(false);
        Version version = server.RedisVersion
            ?? throw new RedisFailureException(RedisFailureKind.ProtocolViolation, $"{connection.EndPoint} reports no usable redis_version in INFO server");
        return new TargetServerInfo(version, RdbVersions.ForRedis(version), cluster.IsSet("cluster_enabled"));
    }

    /// <summary>RESTORE … ABSTTL / IDLETIME / FREQ exist since 5.0.</summary>
    public bool SupportsAbsoluteTtl => RedisVersion.Major >= 5;

    /// <summary>Functions (FUNCTION LOAD/FLUSH, RDB FUNCTION2 records) exist since 7.0.</summary>
    public bool SupportsFunctions => RedisVersion.Major >= 7;
}

/// <summary>Which RDB versions a Redis release writes (and so the highest it loads), and which version each type needs.</summary>
internal static class RdbVersions
{
    public static int ForRedis(Version version) => (version.Major, version.Minor) switch
    {
        ( >= 9, _) or (8, >= 6) => 13,
        (8, _) or (7, >= 4) => 12,
        (7, >= 2) => 11,
        (7, _) => 10,
        (5 or 6, _) => 9,
        (4, _) => 8,
        (3, >= 2) => 7,
        (3, _) => 6,
        _ => 6,
    };

    /// <summary>The first RDB version that knows <paramref name="type"/> (rdb-format.md §2.1).</summary>
    public static int MinimumFor(Rdb.RdbObjectType type) => (byte)type switch
    {
        <= 4 => 1,
        5 or 6 or 7 => 8,
        9 or 10 or 11 or 12 => 2,
        13 => 4,
        14 => 7,
        15 => 9,
        16 or 17 or 18 or 19 => 10,
        20 or 21 => 11,
        _ => 12,
    };
}

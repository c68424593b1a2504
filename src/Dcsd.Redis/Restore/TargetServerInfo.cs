using System.Globalization;

namespace Dcsd.Redis.Restore;

/// <summary>What the engines need to know about the target: its Redis version, the RDB version it writes and reads, cluster mode.</summary>
internal sealed record TargetServerInfo(Version RedisVersion, int RdbVersion, bool ClusterEnabled)
{
    public static async Task<TargetServerInfo> ReadAsync(TargetConnection connection, CancellationToken cancellationToken)
    {
        RespReply server = await connection.CallCheckedAsync(["INFO", "server"], cancellationToken).ConfigureAwait(false);
        RespReply cluster = await connection.CallCheckedAsync(["INFO", "cluster"], cancellationToken).ConfigureAwait(false);
        string? versionText = InfoFields.Get(server.Text, "redis_version");
        if (versionText is null || !Version.TryParse(versionText, out Version? version))
        {
            throw new RestoreException(RestoreFailure.ProtocolViolation, $"{connection.Target} reports no usable redis_version in INFO server");
        }

        return new TargetServerInfo(version, RdbVersions.ForRedis(version), InfoFields.Get(cluster.Text, "cluster_enabled") == "1");
    }

    /// <summary>RESTORE … ABSTTL / IDLETIME / FREQ exist since 5.0.</summary>
    public bool SupportsAbsoluteTtl => RedisVersion.Major >= 5;

    /// <summary>Functions (FUNCTION LOAD/FLUSH, RDB FUNCTION2 records) exist since 7.0.</summary>
    public bool SupportsFunctions => RedisVersion.Major >= 7;
}

/// <summary>Reads <c>field:value</c> lines of INFO text.</summary>
internal static class InfoFields
{
    public static string? Get(string? info, string field)
    {
        if (info is null)
        {
            return null;
        }

        foreach (string rawLine in info.Split('\n'))
        {
            string line = rawLine.TrimEnd('\r');
            if (line.Length > field.Length && line[field.Length] == ':' && line.StartsWith(field, StringComparison.Ordinal))
            {
                return line[(field.Length + 1)..];
            }
        }

        return null;
    }

    public static long GetLong(string? info, string field) =>
        long.TryParse(Get(info, field), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value) ? value : 0;

    /// <summary>The <c>dbN:keys=…,expires=…</c> lines of INFO keyspace as (db, keys, expires).</summary>
    public static IEnumerable<(int Db, long Keys, long Expires)> Keyspace(string? info)
    {
        foreach (string rawLine in (info ?? string.Empty).Split('\n'))
        {
            string line = rawLine.TrimEnd('\r');
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (!line.StartsWith("db", StringComparison.Ordinal) || colon < 3
                || !int.TryParse(line.AsSpan(2, colon - 2), NumberStyles.None, CultureInfo.InvariantCulture, out int db))
            {
                continue;
            }

            long keys = 0, expires = 0;
            foreach (string pair in line[(colon + 1)..].Split(','))
            {
                string[] parts = pair.Split('=');
                if (parts.Length == 2 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long n))
                {
                    if (parts[0] == "keys")
                    {
                        keys = n;
                    }
                    else if (parts[0] == "expires")
                    {
                        expires = n;
                    }
                }
            }

            yield return (db, keys, expires);
        }
    }
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

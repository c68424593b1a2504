using System.Globalization;

namespace Dcsd.Redis.Replication;

/// <summary>Where to fetch an RDB snapshot from, and how long to wait for it.</summary>
public sealed class SnapshotSource
{
    public required string Host { get; init; }

    public required int Port { get; init; }

    /// <summary>ACL user for AUTH; null authenticates as the default user.</summary>
    public string? User { get; init; }

    /// <summary>AUTH password; null skips AUTH. Never logged nor put in exception messages.</summary>
    public string? Password { get; init; }

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Longest silence tolerated on the socket, keep-alive newlines included (InfiniteTimeSpan disables it). The master sends one
    /// newline per second while the fork is pending, so a few seconds is already safe.
    /// </summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Upper bound for the whole fetch: connect, fork wait, diskless delay and transfer.</summary>
    public TimeSpan TotalTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>host:port only: this string ends up in messages, so it must never carry the password.</summary>
    public override string ToString() => Host + ":" + Port.ToString(CultureInfo.InvariantCulture);
}

using System.Net;

namespace Dcsd.Redis.Restore;

/// <summary>
/// Where dcsd's replication listener accepts the target and what it tells the target to connect to. The defaults suit a
/// target on dcsd's host; for targets on other hosts, listen on an address they can reach (or on all) and advertise it.
/// </summary>
public sealed record ReplicationListenerOptions
{
    /// <summary>The address the listener binds (an ephemeral port on it). The default is loopback.</summary>
    public IPAddress ListenAddress { get; init; } = IPAddress.Loopback;

    /// <summary>The host sent in REPLICAOF. The default is <see cref="ListenAddress"/> (127.0.0.1 when that is a wildcard).</summary>
    public string? AdvertiseAddress { get; init; }

    /// <summary>The port sent in REPLICAOF when a port forward or NAT stands between; the default is the listener's own.</summary>
    public int? AdvertisePort { get; init; }

    /// <summary>A target that has not connected to the listener by then cannot reach it: the restore goes through RESTORE commands.</summary>
    public TimeSpan LinkTimeout { get; init; } = TimeSpan.FromSeconds(5);

    internal string AdvertisedHost() =>
        AdvertiseAddress
        ?? (ListenAddress.Equals(IPAddress.Any) || ListenAddress.Equals(IPAddress.IPv6Any) ? IPAddress.Loopback.ToString() : ListenAddress.ToString());
}

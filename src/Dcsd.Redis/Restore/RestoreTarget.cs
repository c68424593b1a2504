using System.Globalization;
using Dcsd.Redis.Protocol;

namespace Dcsd.Redis.Restore;

/// <summary>The Redis master a backup is restored into. The password is only ever sent to that server.</summary>
public sealed class RestoreTarget
{
    public required string Host { get; init; }

    public required int Port { get; init; }

    /// <summary>requirepass of the target (and, for the replication engine, the masterauth it presents to dcsd).</summary>
    public string? Password { get; init; }

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest wait for any single reply or progress step before the restore fails with <see cref="RedisFailureKind.Timeout"/>.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    internal RedisNodeAddress Address => new(Host, Port, Password, ConnectTimeout, IdleTimeout);

    public override string ToString() => Host + ":" + Port.ToString(CultureInfo.InvariantCulture);
}

public enum RestoreEngineKind
{
    /// <summary>dcsd acts as the target's master and serves the RDB as a full sync.</summary>
    Replication,

    /// <summary>dcsd streams the RDB as pipelined RESTORE commands (native commands for big or too-new values).</summary>
    RestoreCommands,
}

/// <param name="Keys">Live keys on the target afterwards (replication) or keys written (RESTORE path; expired ones skipped).</param>
/// <param name="Bytes">RDB bytes read from the input stream.</param>
public sealed record RestoreResult(RestoreEngineKind Engine, long Keys, long Bytes, TimeSpan Elapsed)
{
    /// <summary>Why the replication engine handed over to RESTORE commands (the target could not reach dcsd); null when it did not.</summary>
    public string? FallbackReason { get; init; }
}

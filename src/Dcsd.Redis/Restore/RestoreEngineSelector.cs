using Dcsd.Redis.Protocol;

namespace Dcsd.Redis.Restore;

/// <summary>Picks the engine for a target: replication when the target accepts REPLICAOF and can load the file's RDB version, else RESTORE commands.</summary>
public static class RestoreEngineSelector
{
    public static async Task<RestoreEngineKind> ChooseAsync(RestoreTarget target, int fileRdbVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        using RedisNodeClient connection = await RedisNodeClient.ConnectAsync(target.Address, cancellationToken).ConfigureAwait(false);
        TargetServerInfo server = await TargetServerInfo.ReadAsync(connection, cancellationToken).ConfigureAwait(false);
        return Choose(server, fileRdbVersion);
    }

    internal static RestoreEngineKind Choose(TargetServerInfo server, int fileRdbVersion) =>
        !server.ClusterEnabled && server.RdbVersion >= fileRdbVersion ? RestoreEngineKind.Replication : RestoreEngineKind.RestoreCommands;

    /// <summary>The RDB version in a file's 9-byte header ("REDIS0011" → 11), to pass to <see cref="ChooseAsync"/>.</summary>
    public static int ReadFileRdbVersion(ReadOnlySpan<byte> header) => RdbHeader.Version(header);
}

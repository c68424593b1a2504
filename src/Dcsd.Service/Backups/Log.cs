using Microsoft.Extensions.Logging;

namespace Dcsd.Service.Backups;

/// <summary>
/// The log events of backups (event ids 2000-2999; dcsd groups ids by room). Renaming a method renames its event.
/// Nothing here takes a password, a key or a token.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "Backup {BackupId} of instance {InstanceId}: shard {Shard} from {Source}")]
    public static partial void BackupStarted(ILogger logger, string backupId, string instanceId, int shard, Dcsd.Redis.Topology.NodeInfo source);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Backup {BackupId} succeeded: {Bytes} bytes, RDB {RdbVersion}, {Keys} keys, in {ElapsedMs} ms")]
    public static partial void BackupSucceeded(ILogger logger, string backupId, long bytes, int rdbVersion, long keys, long elapsedMs);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Backup {BackupId} failed ({ErrorCode}): {Reason}")]
    public static partial void BackupFailed(ILogger logger, string backupId, string errorCode, string reason);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Backup {BackupId} was interrupted by a dcsd restart and is marked failed")]
    public static partial void BackupInterrupted(ILogger logger, string backupId);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Error, Message = "Backup {BackupId} failed with an unexpected error")]
    public static partial void BackupCrashed(ILogger logger, Exception exception, string backupId);
}

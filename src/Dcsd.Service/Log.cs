using Dcsd.Service.Restores;
using Microsoft.Extensions.Logging;

namespace Dcsd.Service;

/// <summary>
/// dcsd's log events. Event ids are grouped: 1000 instances, 2000 backups, 3000 API, 4000 restores,
/// 5000 backup imports (migration tasks). Renaming a method renames its event.
/// Nothing here takes a password, a key or a token.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1010, Level = LogLevel.Information, Message = "Instance {InstanceId} adopts a running {CacheMode} deployment: {Shards} shard(s), {Nodes} node(s)")]
    public static partial void InstanceAdopted(ILogger logger, string instanceId, string cacheMode, int shards, int nodes);

    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Instance {InstanceId}: {Role} redis-server listening on 127.0.0.1:{Port} (pid {ProcessId})")]
    public static partial void NodeStarted(ILogger logger, string instanceId, string role, int port, int processId);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "Instance {InstanceId}: {Role} redis-server on port {Port} was down and has been restarted")]
    public static partial void NodeRestarted(ILogger logger, string instanceId, string role, int port);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Instance {InstanceId} ({CacheMode}) is {Status}")]
    public static partial void InstanceStatus(ILogger logger, string instanceId, string cacheMode, string status);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Error, Message = "Instance {InstanceId} could not be created")]
    public static partial void InstanceCreateFailed(ILogger logger, Exception exception, string instanceId);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Error, Message = "Instance {InstanceId}: supervising its nodes failed")]
    public static partial void SupervisionFailed(ILogger logger, Exception exception, string instanceId);

    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "Backup {BackupId} of instance {InstanceId}: shard {Shard} from {Source}")]
    public static partial void BackupStarted(ILogger logger, string backupId, string instanceId, int shard, Dcsd.Redis.Topology.NodeInfo source);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Backup {BackupId} succeeded: {Bytes} bytes, RDB {RdbVersion}, {Keys} keys, in {ElapsedMs} ms")]
    public static partial void BackupSucceeded(ILogger logger, string backupId, long bytes, int rdbVersion, long keys, long elapsedMs);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Backup {BackupId} failed ({ErrorCode}): {Reason}")]
    public static partial void BackupFailed(ILogger logger, string backupId, string errorCode, string reason);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Backup {BackupId} was interrupted by a dcsd restart and is marked failed")]
    public static partial void BackupInterrupted(ILogger logger, string backupId);

    [LoggerMessage(EventId = 4010, Level = LogLevel.Warning, Message = "Restore into instance {InstanceId}: the target could not reach dcsd's replication listener ({Reason}); the data went in through RESTORE commands. Set Dcsd:ReplicationListenAddress/ReplicationAdvertiseAddress to an address the target can reach")]
    public static partial void RestoreEngineFellBack(ILogger logger, string instanceId, string reason);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Error, Message = "Backup {BackupId} failed with an unexpected error")]
    public static partial void BackupCrashed(ILogger logger, Exception exception, string backupId);

    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "Restore {RestoreId} of instance {InstanceId} succeeded through the {Engine} engine: {Keys} keys in {ElapsedMs} ms ({Phases})")]
    public static partial void RestoreSucceeded(ILogger logger, string restoreId, string instanceId, string? engine, long keys, long elapsedMs, BackupLoadPhases phases);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Restore {RestoreId} failed: {Reason}")]
    public static partial void RestoreFailed(ILogger logger, string restoreId, string reason);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Error, Message = "Restore {RestoreId} failed with an unexpected error")]
    public static partial void RestoreCrashed(ILogger logger, Exception exception, string restoreId);

    [LoggerMessage(EventId = 5000, Level = LogLevel.Information, Message = "Migration task {TaskId} imported backup {BackupId} into instance {InstanceId} through the {Engine} engine: {Keys} keys in {ElapsedMs} ms ({Phases})")]
    public static partial void MigrationTaskSucceeded(ILogger logger, string taskId, string backupId, string instanceId, string engine, long keys, long elapsedMs, BackupLoadPhases phases);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "Migration task {TaskId} failed: {Reason}")]
    public static partial void MigrationTaskFailed(ILogger logger, string taskId, string reason);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Error, Message = "Migration task {TaskId} failed with an unexpected error")]
    public static partial void MigrationTaskCrashed(ILogger logger, Exception exception, string taskId);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Warning, Message = "Migration task {TaskId} was interrupted by a dcsd restart and is marked failed")]
    public static partial void MigrationTaskInterrupted(ILogger logger, string taskId);

    [LoggerMessage(EventId = 3000, Level = LogLevel.Error, Message = "Unhandled error on {Method} {Path}")]
    public static partial void UnhandledRequestError(ILogger logger, Exception exception, string method, string path);
}

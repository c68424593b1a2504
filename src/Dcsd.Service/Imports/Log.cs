using Dcsd.Service.Restores;
using Microsoft.Extensions.Logging;

namespace Dcsd.Service.Imports;

/// <summary>
/// The log events of backup imports (migration tasks) (event ids 5000-5999; dcsd groups ids by room). Renaming a method renames its event.
/// Nothing here takes a password, a key or a token.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 5000, Level = LogLevel.Information, Message = "Migration task {TaskId} imported backup {BackupId} into instance {InstanceId} through the {Engine} engine: {Keys} keys in {ElapsedMs} ms ({Phases})")]
    public static partial void MigrationTaskSucceeded(ILogger logger, string taskId, string backupId, string instanceId, string engine, long keys, long elapsedMs, BackupLoadPhases phases);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "Migration task {TaskId} failed: {Reason}")]
    public static partial void MigrationTaskFailed(ILogger logger, string taskId, string reason);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Error, Message = "Migration task {TaskId} failed with an unexpected error")]
    public static partial void MigrationTaskCrashed(ILogger logger, Exception exception, string taskId);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Warning, Message = "Migration task {TaskId} was interrupted by a dcsd restart and is marked failed")]
    public static partial void MigrationTaskInterrupted(ILogger logger, string taskId);
}

using Microsoft.Extensions.Logging;

namespace Dcsd.Service.Restores;

/// <summary>
/// The log events of restores (event ids 4000-4999; dcsd groups ids by room). Renaming a method renames its event.
/// Nothing here takes a password, a key or a token.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "Restore {RestoreId} of instance {InstanceId} succeeded through the {Engine} engine: {Keys} keys in {ElapsedMs} ms ({Phases})")]
    public static partial void RestoreSucceeded(ILogger logger, string restoreId, string instanceId, string? engine, long keys, long elapsedMs, BackupLoadPhases phases);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Restore {RestoreId} failed: {Reason}")]
    public static partial void RestoreFailed(ILogger logger, string restoreId, string reason);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Error, Message = "Restore {RestoreId} failed with an unexpected error")]
    public static partial void RestoreCrashed(ILogger logger, Exception exception, string restoreId);
}

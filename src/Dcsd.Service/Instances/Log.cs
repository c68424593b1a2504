using Microsoft.Extensions.Logging;

namespace Dcsd.Service.Instances;

/// <summary>
/// The log events of instances (event ids 1000-1999; dcsd groups ids by room). Renaming a method renames its event.
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
}

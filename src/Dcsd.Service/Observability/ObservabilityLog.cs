using Microsoft.Extensions.Logging;

namespace Dcsd.Service;

/// <summary>Observability's log events: 6000.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 6000, Level = LogLevel.Warning, Message = "Readiness check {Check} failed")]
    public static partial void HealthCheckFailed(ILogger logger, Exception exception, string check);
}

using Microsoft.Extensions.Logging;

namespace Dcsd.Service.Observability;

/// <summary>The log events of observability (event ids 6000-6999; dcsd groups ids by room).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 6000, Level = LogLevel.Warning, Message = "Readiness check {Check} failed")]
    public static partial void HealthCheckFailed(ILogger logger, Exception exception, string check);
}

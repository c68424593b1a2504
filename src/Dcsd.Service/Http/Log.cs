using Microsoft.Extensions.Logging;

namespace Dcsd.Service.Http;

/// <summary>
/// The log events of the HTTP layer (event ids 3000-3999; dcsd groups ids by room). Renaming a method renames its event.
/// Nothing here takes a password, a key or a token.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Error, Message = "Unhandled error on {Method} {Path}")]
    public static partial void UnhandledRequestError(ILogger logger, Exception exception, string method, string path);
}

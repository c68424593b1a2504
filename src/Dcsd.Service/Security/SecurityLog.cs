using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Dcsd.Service.Security;

/// <summary>
/// Security log events (ids 7000–7099). Never pass a secret key, a token, a signature or an Authorization header here; access keys and
/// project ids are identifiers, not secrets, and are what an operator needs to trace a refusal.
/// </summary>
internal static partial class SecurityLog
{
    [LoggerMessage(EventId = 7001, Level = LogLevel.Warning, Message = "Signed request {Method} {Path} refused for access key {AccessKey}: {Reason}")]
    public static partial void SignatureRejected(this ILogger logger, string method, PathString path, string? accessKey, SignatureFailure reason);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "Token request {Method} {Path} refused: {Reason}")]
    public static partial void TokenRejected(this ILogger logger, string method, PathString path, string reason);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Information, Message = "Request {Method} {Path} refused: {Reason}")]
    public static partial void RequestRejected(this ILogger logger, string method, PathString path, string reason);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Debug, Message = "Request {Method} {Path} authenticated by {AuthenticationMethod} as {AccessKey} in project {ProjectId}")]
    public static partial void Authenticated(this ILogger logger, string method, PathString path, DcsAuthenticationMethod authenticationMethod, string accessKey, string projectId);

    [LoggerMessage(EventId = 7010, Level = LogLevel.Information, Message = "Issued a token for access key {AccessKey} in project {ProjectId}, expiring {ExpiresAt:O}")]
    public static partial void TokenIssued(this ILogger logger, string accessKey, string projectId, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 7011, Level = LogLevel.Warning, Message = "Token request refused: {Reason}")]
    public static partial void TokenIssueRejected(this ILogger logger, string reason);
}

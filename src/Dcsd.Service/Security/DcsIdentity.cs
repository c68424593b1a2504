using Microsoft.AspNetCore.Http;

namespace Dcsd.Service.Security;

internal enum DcsAuthenticationMethod
{
    /// <summary>An AK/SK-signed request (Authorization: SDK-HMAC-SHA256 …).</summary>
    Signature,

    /// <summary>An X-Auth-Token issued by POST /v3/auth/tokens.</summary>
    Token,
}

/// <summary>Who made the request, set as an HttpContext feature by <see cref="DcsAuthenticationMiddleware"/> once authentication passed.</summary>
internal sealed record DcsIdentity(string ProjectId, string AccessKey, DcsAuthenticationMethod Method);

internal static class DcsIdentityHttpContextExtensions
{
    /// <returns>The authenticated caller, or null when the request was not authenticated (exempt path, or authentication disabled).</returns>
    public static DcsIdentity? GetDcsIdentity(this HttpContext context) => context.Features.Get<DcsIdentity>();
}

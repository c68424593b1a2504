using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Dcsd.Service.Dcs;
using Dcsd.Service.Security;
using Dcsd.Service.Http.Iam;

namespace Dcsd.Service.Http;

/// <summary>
/// Authenticates every request except <c>POST /v3/auth/tokens</c> and <c>/health</c>, by AK/SK signature or by X-Auth-Token, and checks
/// that the caller's project is the <c>{project_id}</c> of the path. Failures are written as DCS 401 errors in the path's API version
/// shape; success sets a <see cref="DcsIdentity"/> feature.
/// </summary>
internal sealed class DcsAuthenticationMiddleware(
    RequestDelegate next,
    SdkRequestAuthenticator signatures,
    ITokenStore tokens,
    TimeProvider timeProvider,
    IOptions<DcsSecurityOptions> options,
    ILogger<DcsAuthenticationMiddleware> logger)
{
    /// <summary>Real tokens are 43 characters; anything far longer is refused before it reaches the database.</summary>
    private const int MaxTokenLength = 512;

    public async Task InvokeAsync(HttpContext context)
    {
        if (!options.Value.RequireAuthentication || IsExempt(context.Request))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var cancellationToken = context.RequestAborted;
        var (identity, error) = await AuthenticateAsync(context, cancellationToken).ConfigureAwait(false);
        error ??= CheckProject(context, identity!);
        if (error is not null)
        {
            await DcsErrorResult.WriteAsync(context, error).ConfigureAwait(false);
            return;
        }

        logger.Authenticated(context.Request.Method, context.Request.Path, identity!.Method, identity.AccessKey, identity.ProjectId);
        context.Features.Set(identity);
        await next(context).ConfigureAwait(false);
    }

    internal static bool IsExempt(HttpRequest request) =>
        (HttpMethods.IsPost(request.Method) && request.Path.Equals(IamTokenEndpoints.Route, StringComparison.OrdinalIgnoreCase))
        || request.Path.Equals("/health", StringComparison.OrdinalIgnoreCase);

    /// <summary>A signed request wins over a token; any other Authorization scheme is refused rather than ignored.</summary>
    private async Task<(DcsIdentity?, DcsError?)> AuthenticateAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        if (SdkAuthorization.HasScheme(authorization))
        {
            return await AuthenticateSignatureAsync(context, cancellationToken).ConfigureAwait(false);
        }

        if (context.Request.Headers.ContainsKey(SdkSigning.AuthTokenHeader))
        {
            return await AuthenticateTokenAsync(context, cancellationToken).ConfigureAwait(false);
        }

        return authorization.Length > 0
            ? Reject(context, DcsErrors.InvalidToken, "unsupported Authorization scheme")
            : Reject(context, DcsErrors.NoToken, "no credentials");
    }

    private async Task<(DcsIdentity?, DcsError?)> AuthenticateSignatureAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var result = await signatures.AuthenticateAsync(context, cancellationToken).ConfigureAwait(false);
        if (result.BodyTooLarge)
        {
            return Reject(context, DcsErrors.BodyTooLarge, "body larger than the limit");
        }

        if (!result.Succeeded)
        {
            logger.SignatureRejected(context.Request.Method, context.Request.Path, result.AccessKey, result.Failure);
            // A stale X-Sdk-Date is the signed-request form of an expired token: telling it apart points the client at its clock.
            return (null, result.Failure == SignatureFailure.Stale ? DcsErrors.TokenExpired : DcsErrors.InvalidToken);
        }

        return (new DcsIdentity(result.Credential!.ProjectId, result.Credential.AccessKey, DcsAuthenticationMethod.Signature), null);
    }

    private async Task<(DcsIdentity?, DcsError?)> AuthenticateTokenAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var values = context.Request.Headers[SdkSigning.AuthTokenHeader];
        var token = values.Count == 1 ? values[0] : null;
        if (string.IsNullOrWhiteSpace(token) || token.Length > MaxTokenLength)
        {
            logger.TokenRejected(context.Request.Method, context.Request.Path, "malformed token header");
            return (null, DcsErrors.InvalidToken);
        }

        var grant = await tokens.FindAsync(token, cancellationToken).ConfigureAwait(false);
        if (grant is null)
        {
            logger.TokenRejected(context.Request.Method, context.Request.Path, "unknown token");
            return (null, DcsErrors.InvalidToken);
        }

        if (grant.ExpiresAt <= timeProvider.GetUtcNow())
        {
            logger.TokenRejected(context.Request.Method, context.Request.Path, "expired token");
            return (null, DcsErrors.TokenExpired);
        }

        return (new DcsIdentity(grant.ProjectId, grant.AccessKey, DcsAuthenticationMethod.Token), null);
    }

    /// <summary>Both the caller's own project and any X-Project-Id it sent must be the path's <c>{project_id}</c>.</summary>
    private DcsError? CheckProject(HttpContext context, DcsIdentity identity)
    {
        var pathProject = DcsApiPath.Parse(context.Request.Path.Value).ProjectId;
        if (pathProject is null)
        {
            return null;
        }

        var headerProjects = context.Request.Headers[SdkSigning.ProjectIdHeader];
        bool headerMatches = headerProjects.Count == 0 || (headerProjects.Count == 1 && string.Equals(headerProjects[0], pathProject, StringComparison.Ordinal));
        if (headerMatches && string.Equals(identity.ProjectId, pathProject, StringComparison.Ordinal))
        {
            return null;
        }

        if (identity.Method == DcsAuthenticationMethod.Signature)
        {
            logger.SignatureRejected(context.Request.Method, context.Request.Path, identity.AccessKey, SignatureFailure.ProjectMismatch);
        }
        else
        {
            logger.TokenRejected(context.Request.Method, context.Request.Path, headerMatches ? "token is for another project" : "X-Project-Id differs from the path project");
        }

        return DcsErrors.ProjectMismatch;
    }

    private (DcsIdentity?, DcsError?) Reject(HttpContext context, DcsError error, string reason)
    {
        logger.RequestRejected(context.Request.Method, context.Request.Path, reason);
        return (null, error);
    }
}

internal static class DcsAuthenticationApplicationBuilderExtensions
{
    /// <summary>Adds <see cref="DcsAuthenticationMiddleware"/>; place it before the endpoints (it does not need routing).</summary>
    public static IApplicationBuilder UseDcsAuthentication(this IApplicationBuilder app) =>
        app.UseMiddleware<DcsAuthenticationMiddleware>();
}

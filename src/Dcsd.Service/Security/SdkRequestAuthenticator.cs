using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Dcsd.Service.Security;

/// <summary>The outcome of authenticating one AK/SK-signed HTTP request.</summary>
internal readonly record struct SignatureAuthentication(SignatureFailure Failure, string? AccessKey, StoredCredential? Credential, bool BodyTooLarge)
{
    public bool Succeeded => Failure == SignatureFailure.None && Credential is not null && !BodyTooLarge;
}

/// <summary>
/// Authenticates an HTTP request carrying <c>Authorization: SDK-HMAC-SHA256 …</c>: parse the header, hash the body, look up the access
/// key, verify. Shared by the middleware and the token endpoint (which accepts a signed request in place of a password).
/// </summary>
internal sealed class SdkRequestAuthenticator(ICredentialStore credentials, SdkHmacSha256Verifier verifier, IOptions<DcsSecurityOptions> options)
{
    public async Task<SignatureAuthentication> AuthenticateAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var header = context.Request.Headers.Authorization;
        if (header.Count != 1 || !SdkAuthorization.TryParse(header[0], out var authorization))
        {
            return new(SignatureFailure.Malformed, null, null, false);
        }

        var bodySha256 = await RequestBodyHasher.HashAsync(context.Request, options.Value.MaxBodyBytes, cancellationToken).ConfigureAwait(false);
        if (bodySha256 is null)
        {
            return new(SignatureFailure.None, authorization.AccessKey, null, true);
        }

        var request = SignedHttpRequest.Create(context, bodySha256);
        if (request is null)
        {
            return new(SignatureFailure.SignatureMismatch, authorization.AccessKey, null, false);
        }

        var credential = await credentials.FindAsync(authorization.AccessKey, cancellationToken).ConfigureAwait(false);
        if (credential is null)
        {
            return new(SignatureFailure.UnknownAccessKey, authorization.AccessKey, null, false);
        }

        var failure = verifier.Verify(request, authorization, credential.SecretKey);
        return failure == SignatureFailure.None
            ? new(SignatureFailure.None, authorization.AccessKey, credential, false)
            : new(failure, authorization.AccessKey, null, false);
    }
}

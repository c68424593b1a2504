using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Dcsd.Service.Dcs;
using Dcsd.Service.Security;

namespace Dcsd.Service.Http.Iam;

/// <summary>
/// IAM-compatible <c>POST /v3/auth/tokens</c>. Two ways in: the password method with user name = access key and password = secret key,
/// or an AK/SK-signed request (any identity, or none, in the body). Either way the token is scoped to the credential's project; a
/// different scope.project.id is refused with DCS.1004. Responds 201 with the token in <c>X-Subject-Token</c>, as IAM does.
/// </summary>
internal static class IamTokenEndpoints
{
    public const string Route = "/v3/auth/tokens";

    public static IEndpointConventionBuilder MapIamTokens(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapPost(Route, IssueAsync).WithName("IamIssueToken");

    private static async Task IssueAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(IamTokenEndpoints));
        var cancellationToken = context.RequestAborted;

        var (credential, request, error) = SdkAuthorization.HasScheme(context.Request.Headers.Authorization.ToString())
            ? await AuthenticateBySignatureAsync(context, logger, cancellationToken).ConfigureAwait(false)
            : await AuthenticateByPasswordAsync(context, logger, cancellationToken).ConfigureAwait(false);
        if (error is null && request?.ProjectId is { } scopedProject && !string.Equals(scopedProject, credential!.ProjectId, StringComparison.Ordinal))
        {
            logger.TokenIssueRejected("scope project differs from the credential's project");
            error = DcsErrors.ProjectMismatch;
        }

        if (error is not null)
        {
            await DcsErrorResult.WriteAsync(context, error).ConfigureAwait(false);
            return;
        }

        var token = await services.GetRequiredService<ITokenStore>().IssueAsync(credential!.ProjectId, credential.AccessKey, cancellationToken).ConfigureAwait(false);
        logger.TokenIssued(token.AccessKey, token.ProjectId, token.ExpiresAt);
        await WriteTokenAsync(context, token, request?.HasPassword == true ? "password" : "hw_ak_sk", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>An AK/SK-signed request is its own proof; the body may be empty or carry only a scope.</summary>
    private static async Task<(StoredCredential?, IamTokenRequest?, DcsError?)> AuthenticateBySignatureAsync(HttpContext context, ILogger logger, CancellationToken cancellationToken)
    {
        var services = context.RequestServices;
        var result = await services.GetRequiredService<SdkRequestAuthenticator>().AuthenticateAsync(context, cancellationToken).ConfigureAwait(false);
        if (result.BodyTooLarge)
        {
            return (null, null, DcsErrors.BodyTooLarge);
        }

        if (!result.Succeeded)
        {
            logger.SignatureRejected(context.Request.Method, context.Request.Path, result.AccessKey, result.Failure);
            return (null, null, result.Failure == SignatureFailure.Stale ? DcsErrors.TokenExpired : DcsErrors.InvalidToken);
        }

        var maxBodyBytes = services.GetRequiredService<IOptions<DcsSecurityOptions>>().Value.MaxBodyBytes;
        var bytes = await ReadBodyAsync(context.Request, maxBodyBytes, cancellationToken).ConfigureAwait(false);
        return (result.Credential, bytes is { Length: > 0 } ? IamTokenRequest.TryParse(bytes) : null, null);
    }

    private static async Task<(StoredCredential?, IamTokenRequest?, DcsError?)> AuthenticateByPasswordAsync(HttpContext context, ILogger logger, CancellationToken cancellationToken)
    {
        var services = context.RequestServices;
        var maxBodyBytes = services.GetRequiredService<IOptions<DcsSecurityOptions>>().Value.MaxBodyBytes;
        var bytes = await ReadBodyAsync(context.Request, maxBodyBytes, cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            return (null, null, DcsErrors.BodyTooLarge);
        }

        if (bytes.Length == 0)
        {
            return (null, null, DcsErrors.EmptyBody);
        }

        var request = IamTokenRequest.TryParse(bytes);
        if (request is null)
        {
            return (null, null, DcsErrors.MalformedJson);
        }

        if (!request.HasPassword)
        {
            logger.TokenIssueRejected("no password identity and no signature");
            return (null, request, DcsErrors.NoToken);
        }

        var credential = await FindByPasswordAsync(services, request, cancellationToken).ConfigureAwait(false);
        if (credential is null)
        {
            logger.TokenIssueRejected("wrong access key or secret key");
            return (null, request, DcsErrors.InvalidToken);
        }

        return (credential, request, null);
    }

    /// <summary>The secret is compared through SHA-256 digests so the comparison is constant-time whatever the lengths.</summary>
    private static async Task<StoredCredential?> FindByPasswordAsync(IServiceProvider services, IamTokenRequest request, CancellationToken cancellationToken)
    {
        var credential = await services.GetRequiredService<ICredentialStore>().FindAsync(request.UserName!, cancellationToken).ConfigureAwait(false);
        if (credential is null)
        {
            return null;
        }

        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(credential.SecretKey));
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(request.Password!));
        return CryptographicOperations.FixedTimeEquals(expected, presented) ? credential : null;
    }

    /// <returns>The body bytes, or null when larger than <paramref name="maxBytes"/>.</returns>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>The IAM token body, trimmed to what dcsd knows; clients only need the X-Subject-Token header.</summary>
    private static async Task WriteTokenAsync(HttpContext context, IssuedToken token, string method, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("token");
            json.WriteStartArray("methods");
            json.WriteStringValue(method);
            json.WriteEndArray();
            json.WriteString("issued_at", IamTime(token.IssuedAt));
            json.WriteString("expires_at", IamTime(token.ExpiresAt));
            json.WriteStartObject("project");
            json.WriteString("id", token.ProjectId);
            json.WriteString("name", token.ProjectId);
            json.WriteEndObject();
            json.WriteStartObject("user");
            json.WriteString("id", token.AccessKey);
            json.WriteString("name", token.AccessKey);
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        context.Response.StatusCode = StatusCodes.Status201Created;
        context.Response.Headers[SdkSigning.SubjectTokenHeader] = token.Value;
        context.Response.Headers.CacheControl = "no-store";
        context.Response.ContentType = "application/json;charset=UTF-8";
        context.Response.ContentLength = buffer.WrittenCount;
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>IAM writes microseconds and a Z, e.g. <c>2020-01-04T09:05:22.701000Z</c>.</summary>
    private static string IamTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}

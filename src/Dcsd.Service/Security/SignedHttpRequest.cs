using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Dcsd.Service.Security;

/// <summary>Turns an ASP.NET request into the verifier's <see cref="SdkSignedRequest"/>.</summary>
internal static class SignedHttpRequest
{
    /// <param name="bodySha256">Hex SHA-256 of the raw body bytes.</param>
    /// <returns>The request to verify, or null when X-Sdk-Content-Sha256 claims a hash the body does not have.</returns>
    public static SdkSignedRequest? Create(HttpContext context, string bodySha256)
    {
        var request = context.Request;
        var headers = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in request.Headers)
        {
            headers[name] = values.Where(v => v is not null).Select(v => v!).ToArray();
        }

        // X-Sdk-Content-Sha256 is signed verbatim. UNSIGNED-PAYLOAD is the SDKs' explicit opt-out; any other value must really be the
        // body's hash, or a signature over a declared hash would let someone swap the body.
        var payloadHash = bodySha256;
        if (request.Headers.TryGetValue(SdkSigning.ContentSha256Header, out var declared))
        {
            payloadHash = declared.ToString();
            if (payloadHash != SdkSigning.UnsignedPayload && !payloadHash.Equals(bodySha256, StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }
        }

        var (rawPath, rawQuery) = RawTarget(context);
        return new SdkSignedRequest(request.Method, rawPath, rawQuery, headers, payloadHash);
    }

    /// <summary>
    /// The path and query exactly as the client sent them: <see cref="HttpRequest.Path"/> is already decoded (and loses a PathBase), and
    /// the signature covers the client's view of the full path.
    /// </summary>
    private static (string Path, string Query) RawTarget(HttpContext context)
    {
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(rawTarget) || rawTarget[0] != '/')
        {
            var request = context.Request;
            return ((request.PathBase + request.Path).ToUriComponent(), request.QueryString.HasValue ? request.QueryString.Value![1..] : string.Empty);
        }

        int question = rawTarget.IndexOf('?', StringComparison.Ordinal);
        return question < 0 ? (rawTarget, string.Empty) : (rawTarget[..question], rawTarget[(question + 1)..]);
    }
}

using System.Diagnostics.CodeAnalysis;

namespace Dcsd.Service.Security;

/// <summary>
/// The parsed <c>Authorization: SDK-HMAC-SHA256 Access=…, SignedHeaders=a;b;c, Signature=…</c> header.
/// <see cref="SignedHeaders"/> is kept exactly as the client listed it: the verifier recomputes over that list.
/// </summary>
internal sealed record SdkAuthorization(string AccessKey, IReadOnlyList<string> SignedHeaders, string Signature)
{
    /// <summary>True when the header uses this scheme at all (so a parse failure is "malformed", not "some other scheme").</summary>
    public static bool HasScheme(string? headerValue) =>
        headerValue is not null && headerValue.StartsWith(SdkSigning.Algorithm + " ", StringComparison.Ordinal);

    public static bool TryParse(string? headerValue, [NotNullWhen(true)] out SdkAuthorization? authorization)
    {
        authorization = null;
        if (!HasScheme(headerValue))
        {
            return false;
        }

        string? accessKey = null, signedHeaders = null, signature = null;
        foreach (var part in headerValue![(SdkSigning.Algorithm.Length + 1)..].Split(','))
        {
            var trimmed = part.Trim();
            int equals = trimmed.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                return false;
            }

            var name = trimmed[..equals];
            var value = trimmed[(equals + 1)..];
            // A repeated field is ambiguous: refuse rather than pick one.
            switch (name)
            {
                case "Access" when accessKey is null: accessKey = value; break;
                case "SignedHeaders" when signedHeaders is null: signedHeaders = value; break;
                case "Signature" when signature is null: signature = value; break;
                default: return false;
            }
        }

        if (string.IsNullOrEmpty(accessKey) || string.IsNullOrEmpty(signedHeaders) || string.IsNullOrEmpty(signature))
        {
            return false;
        }

        var headers = signedHeaders.Split(';');
        if (Array.Exists(headers, h => h.Length == 0 || h.Any(char.IsWhiteSpace)))
        {
            return false;
        }

        authorization = new SdkAuthorization(accessKey, headers, signature);
        return true;
    }
}

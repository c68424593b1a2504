using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Dcsd.Service.Security;

/// <summary>
/// Verifies an SDK-HMAC-SHA256 signature by recomputing it over exactly the client's SignedHeaders list (SDKs disagree on which headers
/// they sign, so a fixed set would reject valid clients). Pure: no I/O, the clock comes from <see cref="TimeProvider"/>.
/// </summary>
internal sealed class SdkHmacSha256Verifier(TimeProvider timeProvider, IOptions<DcsSecurityOptions> options)
{
    private readonly TimeSpan _maxClockSkew = options.Value.MaxClockSkew;

    public SignatureFailure Verify(SdkSignedRequest request, SdkAuthorization authorization, string secretKey)
    {
        if (!authorization.SignedHeaders.Contains("x-sdk-date", StringComparer.OrdinalIgnoreCase))
        {
            return SignatureFailure.MissingDate;
        }

        var dateValues = request.HeaderValues(SdkSigning.DateHeader);
        if (dateValues.Count == 0)
        {
            return SignatureFailure.MissingDate;
        }

        if (dateValues.Count > 1
            || !DateTimeOffset.TryParseExact(dateValues[0].Trim(), SdkSigning.DateFormat, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var signedAt)
            || authorization.Signature.Length != 64
            || !TryFromHex(authorization.Signature, out var claimed))
        {
            return SignatureFailure.Malformed;
        }

        if (!MatchesAnyHostForm(request, authorization, secretKey, dateValues[0].Trim(), claimed))
        {
            return SignatureFailure.SignatureMismatch;
        }

        // Checked after the signature so that only a genuine client learns that its clock is off.
        var skew = timeProvider.GetUtcNow() - signedAt;
        return skew.Duration() > _maxClockSkew ? SignatureFailure.Stale : SignatureFailure.None;
    }

    /// <summary>
    /// NET signs the host without its port, GO and NODE with it, while every HTTP client sends the port on the wire when it is not the
    /// default. So when host is signed, the host as received is tried first and then the same host without its port.
    /// </summary>
    private static bool MatchesAnyHostForm(SdkSignedRequest request, SdkAuthorization authorization, string secretKey, string date, byte[] claimed)
    {
        if (Matches(request, authorization, secretKey, date, claimed, hostOverride: null))
        {
            return true;
        }

        if (!authorization.SignedHeaders.Contains("host", StringComparer.OrdinalIgnoreCase))
        {
            return false;
        }

        var hosts = request.HeaderValues("Host");
        if (hosts.Count != 1)
        {
            return false;
        }

        var withoutPort = StripPort(hosts[0].Trim());
        return withoutPort != hosts[0].Trim() && Matches(request, authorization, secretKey, date, claimed, withoutPort);
    }

    private static bool Matches(SdkSignedRequest request, SdkAuthorization authorization, string secretKey, string date, byte[] claimed, string? hostOverride)
    {
        var canonical = SdkCanonicalRequest.Build(request, authorization.SignedHeaders, hostOverride);
        var stringToSign = SdkSigning.Algorithm + "\n" + date + "\n" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secretKey), Encoding.UTF8.GetBytes(stringToSign));
        return CryptographicOperations.FixedTimeEquals(expected, claimed);
    }

    /// <summary><c>example.com:8080</c> → <c>example.com</c>, <c>[::1]:8080</c> → <c>[::1]</c>; a bare IPv6 literal is left alone.</summary>
    internal static string StripPort(string host)
    {
        int colon = host.LastIndexOf(':');
        if (colon < 0 || host.IndexOf(']', StringComparison.Ordinal) > colon || (host[0] != '[' && host.IndexOf(':', StringComparison.Ordinal) != colon))
        {
            return host;
        }

        return host[..colon];
    }

    private static bool TryFromHex(string hex, out byte[] bytes)
    {
        bytes = new byte[hex.Length / 2];
        return Convert.FromHexString(hex, bytes, out _, out int written) == System.Buffers.OperationStatus.Done && written == bytes.Length;
    }
}

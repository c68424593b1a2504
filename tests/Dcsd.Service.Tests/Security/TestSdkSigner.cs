using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Dcsd.Service.Tests.Security;

/// <summary>
/// An SDK-HMAC-SHA256 signer written for the tests straight from dcs-api.md §6.2, sharing no code with the product's verifier
/// (it encodes with <see cref="Uri.EscapeDataString(string)"/>, the product with its own byte loop), so a bug in one shows up as a mismatch.
/// Inputs are the client's view: the unescaped path, decoded query pairs and exactly the headers to sign.
/// </summary>
public static class TestSdkSigner
{
    public sealed record Result(string Authorization, string CanonicalRequest, string StringToSign, string Signature);

    public static string Date(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    public static string HashHex(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();

    public static Result Sign(
        string method,
        string path,
        IEnumerable<(string Key, string Value)> query,
        IEnumerable<(string Name, string Value)> signedHeaders,
        string payloadHash,
        string accessKey,
        string secretKey)
    {
        var canonicalUri = string.Join("/", path.Split('/').Select(Uri.EscapeDataString));
        if (!canonicalUri.EndsWith('/'))
        {
            canonicalUri += "/";
        }

        var canonicalQuery = string.Join("&", query
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));

        var headers = signedHeaders
            .Select(h => (Name: h.Name.ToLowerInvariant(), Value: h.Value.Trim()))
            .OrderBy(h => h.Name, StringComparer.Ordinal)
            .ThenBy(h => h.Value, StringComparer.Ordinal)
            .ToList();
        var canonicalHeaders = string.Concat(headers.Select(h => h.Name + ":" + h.Value + "\n"));
        var signedHeaderNames = string.Join(";", headers.Select(h => h.Name).Distinct());

        var canonicalRequest = method + "\n" + canonicalUri + "\n" + canonicalQuery + "\n" + canonicalHeaders + "\n" + signedHeaderNames + "\n" + payloadHash;
        var date = headers.Single(h => h.Name == "x-sdk-date").Value;
        var stringToSign = "SDK-HMAC-SHA256\n" + date + "\n" + HashHex(Encoding.UTF8.GetBytes(canonicalRequest));
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(secretKey));
        var signature = Convert.ToHexString(hmac.ComputeHash(Encoding.UTF8.GetBytes(stringToSign))).ToLowerInvariant();
        return new Result(
            "SDK-HMAC-SHA256 Access=" + accessKey + ", SignedHeaders=" + signedHeaderNames + ", Signature=" + signature,
            canonicalRequest,
            stringToSign,
            signature);
    }
}

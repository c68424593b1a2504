namespace Dcsd.Service.Security;

/// <summary>
/// A request as the verifier sees it, free of ASP.NET types.
/// </summary>
/// <param name="Method">The HTTP method as received, e.g. <c>POST</c>.</param>
/// <param name="RawPath">The path as it arrived on the wire (still percent-encoded, no query).</param>
/// <param name="RawQuery">The query string as it arrived on the wire, without the leading <c>?</c>; empty when none.</param>
/// <param name="Headers">Request headers, looked up case-insensitively; a header sent on several lines has several values.</param>
/// <param name="PayloadHash">Lower-case hex SHA-256 of the raw body bytes, or the X-Sdk-Content-Sha256 value verbatim when the client sent one.</param>
internal sealed record SdkSignedRequest(
    string Method,
    string RawPath,
    string RawQuery,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Headers,
    string PayloadHash)
{
    public IReadOnlyList<string> HeaderValues(string name) =>
        Headers.TryGetValue(name, out var values) ? values : [];
}

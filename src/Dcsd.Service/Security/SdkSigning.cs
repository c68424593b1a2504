namespace Dcsd.Service.Security;

/// <summary>Names and constants of the Huawei Cloud "SDK-HMAC-SHA256" signing scheme (dcs-api.md §6.2).</summary>
internal static class SdkSigning
{
    public const string Algorithm = "SDK-HMAC-SHA256";

    public const string DateHeader = "X-Sdk-Date";

    public const string ContentSha256Header = "X-Sdk-Content-Sha256";

    public const string ProjectIdHeader = "X-Project-Id";

    public const string AuthTokenHeader = "X-Auth-Token";

    public const string SubjectTokenHeader = "X-Subject-Token";

    /// <summary>The value SDKs put in X-Sdk-Content-Sha256 when they do not hash the body (non-JSON content types).</summary>
    public const string UnsignedPayload = "UNSIGNED-PAYLOAD";

    /// <summary>yyyyMMdd'T'HHmmss'Z', always UTC.</summary>
    public const string DateFormat = "yyyyMMdd'T'HHmmss'Z'";

    /// <summary>Hex SHA-256 of zero bytes; what a bodiless request signs.</summary>
    public const string EmptyBodySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
}

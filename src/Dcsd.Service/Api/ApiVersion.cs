namespace Dcsd.Service.Api;

internal enum ApiVersion
{
    V1,
    V2,
}

internal static class ApiVersions
{
    /// <summary>v1.0 paths answer errors nested; everything else (v2, v3 IAM, unknown) answers flat.</summary>
    public static ApiVersion Of(HttpRequest request) =>
        request.Path.StartsWithSegments("/v1.0", StringComparison.Ordinal) ? ApiVersion.V1 : ApiVersion.V2;
}

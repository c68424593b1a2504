using Dcsd.Service.Security;

namespace Dcsd.Service.Http;

internal static class ApiVersions
{
    /// <summary>v1.0 paths answer errors nested; everything else (v2, v3 IAM, unknown) answers flat.</summary>
    public static DcsApiVersion Of(HttpRequest request) => DcsApiPath.Parse(request.Path.Value).Version;
}

namespace Dcsd.Service.Http;

internal enum DcsApiVersion
{
    /// <summary>Not a DCS API path (e.g. <c>/v3/auth/tokens</c>); errors use the v2 flat shape.</summary>
    Other = 0,
    V1,
    V2,
}

/// <summary>The API version and <c>{project_id}</c> of a DCS path: the project is always the first segment after <c>/v1.0/</c> or <c>/v2/</c>.</summary>
internal readonly record struct DcsApiPath(DcsApiVersion Version, string? ProjectId)
{
    public static DcsApiPath Parse(string? path)
    {
        var segments = (path ?? string.Empty).Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0)
        {
            return default;
        }

        var version = segments[0] switch
        {
            var s when s.Equals("v1.0", StringComparison.OrdinalIgnoreCase) => DcsApiVersion.V1,
            var s when s.Equals("v2", StringComparison.OrdinalIgnoreCase) => DcsApiVersion.V2,
            _ => DcsApiVersion.Other,
        };
        return new DcsApiPath(version, version != DcsApiVersion.Other && segments.Length > 1 ? segments[1] : null);
    }
}

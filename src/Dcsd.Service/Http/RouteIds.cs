using System.Text.RegularExpressions;
using Dcsd.Service.Dcs;

namespace Dcsd.Service.Http;

/// <summary>Validates the ids in DCS paths before anything is looked up.</summary>
internal static partial class RouteIds
{
    public static string Project(string projectId) =>
        ProjectIdPattern().IsMatch(projectId) ? projectId : throw new DcsException(DcsErrors.InvalidProjectId);

    public static string Instance(string instanceId) =>
        Guid.TryParseExact(instanceId, "D", out _) ? instanceId.ToLowerInvariant() : throw new DcsException(DcsErrors.InvalidInstanceId);

    /// <summary>Backup and restore ids are UUIDs too; a malformed one is reported as the parameter it is.</summary>
    public static string Uuid(string value, string parameterName) =>
        Guid.TryParseExact(value, "D", out _) ? value.ToLowerInvariant() : throw new DcsException(DcsErrors.InvalidParameter(parameterName));

    // Huawei project ids are 32 hex characters; self-hosted projects may use readable names, so allow a safe superset.
    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex ProjectIdPattern();
}

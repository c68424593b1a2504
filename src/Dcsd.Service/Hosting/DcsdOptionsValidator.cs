using Microsoft.Extensions.Options;

namespace Dcsd.Service.Hosting;

/// <summary>Checks <see cref="DcsdOptions"/> at start; every message names the setting as it is configured.</summary>
internal sealed class DcsdOptionsValidator : IValidateOptions<DcsdOptions>
{
    private static readonly TimeSpan MaxClusterWritePause = TimeSpan.FromMinutes(10);

    public ValidateOptionsResult Validate(string? name, DcsdOptions options)
    {
        var errors = new List<string>();
        Require(errors, !string.IsNullOrWhiteSpace(options.DataDirectory), nameof(DcsdOptions.DataDirectory), "must be a directory path");
        Require(errors, !string.IsNullOrWhiteSpace(options.RedisServerPath), nameof(DcsdOptions.RedisServerPath), "must name the redis-server binary");
        Require(errors, options.SupervisionInterval > TimeSpan.Zero, nameof(DcsdOptions.SupervisionInterval), "must be positive");
        Require(errors, options.MaxConcurrentJobs is >= 1 and <= 64, nameof(DcsdOptions.MaxConcurrentJobs), "must be 1 to 64");
        Require(errors, options.MaxConcurrentJobsPerKind is >= 1 and <= 64, nameof(DcsdOptions.MaxConcurrentJobsPerKind), "must be 1 to 64");
        Require(errors, options.SnapshotIdleTimeout > TimeSpan.Zero, nameof(DcsdOptions.SnapshotIdleTimeout), "must be positive");
        Require(errors, options.SnapshotTotalTimeout > TimeSpan.Zero, nameof(DcsdOptions.SnapshotTotalTimeout), "must be positive");
        Require(errors, options.MaxParallelShardSnapshots is >= 1 and <= 64, nameof(DcsdOptions.MaxParallelShardSnapshots), "must be 1 to 64");
        Require(
            errors,
            options.ClusterWritePause is null || (options.ClusterWritePause > TimeSpan.Zero && options.ClusterWritePause <= MaxClusterWritePause),
            nameof(DcsdOptions.ClusterWritePause),
            "must be positive and at most 10 minutes, or unset");
        Require(errors, System.Net.IPAddress.TryParse(options.ReplicationListenAddress, out _), nameof(DcsdOptions.ReplicationListenAddress), "must be an IP address (e.g. 127.0.0.1 or 0.0.0.0)");
        Require(
            errors,
            options.ReplicationAdvertiseAddress is null || Uri.CheckHostName(options.ReplicationAdvertiseAddress) != UriHostNameType.Unknown,
            nameof(DcsdOptions.ReplicationAdvertiseAddress),
            "must be a host name or IP address, or unset");
        Require(errors, options.ReplicationLinkTimeout > TimeSpan.Zero, nameof(DcsdOptions.ReplicationLinkTimeout), "must be positive");
        Require(
            errors,
            options.Observability.MetricsBearerToken is null or { Length: >= Observability.ObservabilityOptions.MinimumBearerTokenLength },
            "Observability:MetricsBearerToken",
            $"must be at least {Observability.ObservabilityOptions.MinimumBearerTokenLength} characters");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Require(List<string> errors, bool valid, string setting, string rule)
    {
        if (!valid)
        {
            errors.Add($"{DcsdOptions.SectionName}:{setting} {rule}.");
        }
    }
}

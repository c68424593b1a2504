using Microsoft.Extensions.Configuration;

namespace Dcsd.Service.Hosting;

/// <summary>
/// Where dcsd's settings come from, lowest precedence first: the defaults; <c>appsettings.json</c> in the data directory
/// (optional); environment variables prefixed <c>DCS_</c>, with <c>__</c> between section and name
/// (<c>DCS_Dcsd__MaxConcurrentJobs=4</c>, <c>DCS_Security__RequireAuthentication=false</c>), plus <c>DCS_REDIS_SERVER</c> for
/// Dcsd:RedisServerPath; then the settings given to <c>dcs serve</c> (<c>--set Dcsd:MaxConcurrentJobs=4</c> and its named flags).
/// The data directory itself comes from <c>--data</c> or <c>DCS_Dcsd__DataDirectory</c> only, since it locates the file.
/// </summary>
public static class DcsdSettings
{
    public const string EnvironmentPrefix = "DCS_";

    public const string SettingsFileName = "appsettings.json";

    public const string DataDirectoryKey = DcsdOptions.SectionName + ":" + nameof(DcsdOptions.DataDirectory);

    /// <summary>Every setting dcsd reads, with what it does, for <c>dcs serve --help</c> and the README.</summary>
    public static IReadOnlyList<(string Key, string Description)> All { get; } =
    [
        (DataDirectoryKey, "data directory: SQLite metadata, backups, local instances (default .dcs)"),
        ("Dcsd:RedisServerPath", "redis-server binary for local instances (default: on PATH; DCS_REDIS_SERVER sets it too)"),
        ("Dcsd:SupervisionInterval", "how often local redis-server processes are checked (default 00:00:01)"),
        ("Dcsd:MaxConcurrentJobs", "backups, restores and imports running at once, all kinds together (default 2)"),
        ("Dcsd:MaxConcurrentJobsPerKind", "jobs of one kind running at once, within MaxConcurrentJobs (default 2)"),
        ("Dcsd:SnapshotIdleTimeout", "no data from a snapshot source for this long fails the backup (default 00:01:00)"),
        ("Dcsd:SnapshotTotalTimeout", "a snapshot taking longer fails the backup (default 06:00:00)"),
        ("Dcsd:MaxParallelShardSnapshots", "shards of one cluster backup snapshotted at once (default 4)"),
        ("Dcsd:ClusterWritePause", "when set, cluster backups are a consistent cut, pausing writes at most this long (default unset)"),
        ("Security:RequireAuthentication", "every DCS route needs an AK/SK signature or a token (default true)"),
        ("Security:MaxClockSkew", "how far X-Sdk-Date may be from the server clock (default 00:15:00)"),
        ("Security:MaxBodyBytes", "largest request body accepted (default 12582912)"),
        ("Security:TokenLifetime", "how long an issued X-Auth-Token stays valid (default 1.00:00:00)"),
    ];

    /// <summary>The environment variable that sets <paramref name="key"/> ("Dcsd:MaxConcurrentJobs" → DCS_Dcsd__MaxConcurrentJobs).</summary>
    public static string EnvironmentName(string key) => EnvironmentPrefix + key.Replace(":", "__", StringComparison.Ordinal);

    /// <summary>The data directory the settings say, as an absolute path: the given settings, else the environment, else .dcs.</summary>
    internal static string ResolveDataDirectory(IReadOnlyDictionary<string, string?> settings) =>
        Path.GetFullPath(
            settings.GetValueOrDefault(DataDirectoryKey)
            ?? Environment.GetEnvironmentVariable(EnvironmentName(DataDirectoryKey))
            ?? new DcsdOptions().DataDirectory);

    /// <summary>Adds the sources above, in order, to <paramref name="configuration"/> (which should have none yet).</summary>
    internal static void AddSources(IConfigurationBuilder configuration, string dataDirectory, IReadOnlyDictionary<string, string?> settings)
    {
        configuration.AddJsonFile(Path.Combine(dataDirectory, SettingsFileName), optional: true, reloadOnChange: false);
        if (Environment.GetEnvironmentVariable("DCS_REDIS_SERVER") is { Length: > 0 } redisServer)
        {
            configuration.AddInMemoryCollection([new("Dcsd:RedisServerPath", redisServer)]);
        }

        configuration.AddEnvironmentVariables(EnvironmentPrefix);
        configuration.AddInMemoryCollection(settings);
        configuration.AddInMemoryCollection([new(DataDirectoryKey, dataDirectory)]);
    }
}

using System.Text.Json;
using System.Text.Json.Serialization;
using Dcsd.Service.Security;

namespace Dcsd.Cli.Client;

/// <summary>
/// Where and as whom the client commands talk to dcsd: saved by `dcs login` in a file only its owner can read (0600), each
/// field overridden by its environment variable (DCS_ENDPOINT, DCS_PROJECT_ID, DCS_ACCESS_KEY, DCS_SECRET_KEY).
/// </summary>
internal sealed record DcsProfile(
    [property: JsonPropertyName("endpoint")] string? Endpoint,
    [property: JsonPropertyName("project_id")] string? ProjectId,
    [property: JsonPropertyName("access_key")] string? AccessKey,
    [property: JsonPropertyName("secret_key")] string? SecretKey)
{
    /// <summary>Names another profile file (tests, several dcsd's); the default is $XDG_CONFIG_HOME/dcs/profile.json or ~/.config/dcs/profile.json.</summary>
    public const string FileVariable = "DCS_PROFILE_FILE";

    private static readonly JsonSerializerOptions FileJson = new() { WriteIndented = true };

    public static string FilePath
    {
        get
        {
            if (Environment.GetEnvironmentVariable(FileVariable) is { Length: > 0 } file)
            {
                return Path.GetFullPath(file);
            }

            string config = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg
                ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
            return Path.Combine(config, "dcs", "profile.json");
        }
    }

    /// <summary>The saved profile (empty when there is none) with the environment laid over it.</summary>
    public static DcsProfile Load()
    {
        var saved = File.Exists(FilePath) ? JsonSerializer.Deserialize<DcsProfile>(File.ReadAllText(FilePath)) : null;
        return new DcsProfile(
            Env("DCS_ENDPOINT") ?? saved?.Endpoint,
            Env("DCS_PROJECT_ID") ?? saved?.ProjectId,
            Env("DCS_ACCESS_KEY") ?? saved?.AccessKey,
            Env("DCS_SECRET_KEY") ?? saved?.SecretKey);
    }

    /// <summary>Writes the profile with mode 0600 from the first byte on (never readable by others, not even briefly), replacing any old one.</summary>
    public void Save()
    {
        string path = FilePath;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string temporary = path + ".tmp";
        File.Delete(temporary);
        using (var stream = new FileStream(temporary, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            JsonSerializer.Serialize(stream, this, FileJson);
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The endpoint and credential, or what is missing in words a user can act on.</summary>
    public (Uri Endpoint, DcsCredential Credential)? Resolve(out string? missing)
    {
        var absent = new List<string>();
        if (Endpoint is null) absent.Add("endpoint (DCS_ENDPOINT)");
        if (ProjectId is null) absent.Add("project (DCS_PROJECT_ID)");
        if (AccessKey is null) absent.Add("access key (DCS_ACCESS_KEY)");
        if (SecretKey is null) absent.Add("secret key (DCS_SECRET_KEY)");
        if (absent.Count > 0)
        {
            missing = $"not logged in: no {string.Join(", ", absent)}; run `dcs login` or set the environment variables";
            return null;
        }

        if (!Uri.TryCreate(Endpoint, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https"))
        {
            missing = $"the endpoint '{Endpoint}' is not an http(s) URL";
            return null;
        }

        missing = null;
        return (endpoint, new DcsCredential(ProjectId!, AccessKey!, SecretKey!));
    }

    /// <summary>Never prints the secret key, whatever formats the record.</summary>
    public override string ToString() => $"{AccessKey} (project {ProjectId}) at {Endpoint}";

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
}

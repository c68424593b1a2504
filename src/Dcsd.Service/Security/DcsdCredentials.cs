using Dcsd.Service.Persistence;

namespace Dcsd.Service.Security;

/// <summary>An AK/SK pair for one project. The secret key is shown once, at creation.</summary>
public sealed record DcsCredential(string ProjectId, string AccessKey, string SecretKey)
{
    public override string ToString() => $"{AccessKey} (project {ProjectId})";
}

/// <summary>Credential administration over a data directory, for the CLI (`dcs credentials create`) and bootstrap at start.</summary>
public static class DcsdCredentials
{
    public static string KeyFilePath(string dataDirectory) => Path.Combine(Path.GetFullPath(dataDirectory), "secret.key");

    public static async Task<DcsCredential> CreateAsync(string dataDirectory, string projectId, CancellationToken cancellationToken = default)
    {
        var store = Open(dataDirectory);
        var credential = CredentialGenerator.Create(ValidProject(projectId));
        await store.CreateAsync(credential, cancellationToken).ConfigureAwait(false);
        return new DcsCredential(credential.ProjectId, credential.AccessKey, credential.SecretKey);
    }

    /// <summary>Makes sure the given pair exists (automation: DCS_BOOTSTRAP_*). An existing access key with another secret or project is an error.</summary>
    internal static async Task EnsureAsync(ICredentialStore store, DcsCredential wanted, CancellationToken cancellationToken)
    {
        var existing = await store.FindAsync(wanted.AccessKey, cancellationToken).ConfigureAwait(false);
        if (existing is null)
        {
            await store.CreateAsync(new StoredCredential(wanted.AccessKey, ValidProject(wanted.ProjectId), wanted.SecretKey, DateTimeOffset.UtcNow), cancellationToken).ConfigureAwait(false);
        }
        else if (existing.ProjectId != wanted.ProjectId || existing.SecretKey != wanted.SecretKey)
        {
            throw new InvalidOperationException($"access key {wanted.AccessKey} already exists with a different project or secret");
        }
    }

    private static SqliteCredentialStore Open(string dataDirectory)
    {
        string directory = Path.GetFullPath(dataDirectory);
        Directory.CreateDirectory(directory);
        var database = new DcsdDatabase(Path.Combine(directory, DcsdOptions.DatabaseFileName));
        return new SqliteCredentialStore(database.ConnectionString, new SecretProtector(KeyFilePath(directory)));
    }

    private static string ValidProject(string projectId) =>
        System.Text.RegularExpressions.Regex.IsMatch(projectId, "^[A-Za-z0-9_-]{1,64}$")
            ? projectId
            : throw new ArgumentException($"invalid project id '{projectId}': use 1-64 letters, digits, '-' or '_' (Huawei project ids are 32 hex characters)");
}

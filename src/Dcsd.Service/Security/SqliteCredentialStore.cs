using System.Globalization;
using Dcsd.Service.Persistence;

namespace Dcsd.Service.Security;

/// <summary>
/// Credentials in SQLite table <c>credentials</c>. The secret is stored encrypted by <see cref="SecretProtector"/>, bound to its access
/// key, so neither a database dump nor a row swap reveals or moves a secret.
/// </summary>
internal sealed class SqliteCredentialStore(string connectionString, SecretProtector protector) : ICredentialStore
{

    public async Task<StoredCredential?> FindAsync(string accessKey, CancellationToken cancellationToken)
    {
        await using var connection = await SchemaMigrations.OpenAsync(connectionString, cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT project_id, secret_encrypted, created_at FROM credentials WHERE access_key = $ak";
        command.Parameters.AddWithValue("$ak", accessKey);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var secret = protector.Unprotect(reader.GetString(1), context: accessKey);
        var createdAt = DateTimeOffset.Parse(reader.GetString(2), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
        return new StoredCredential(accessKey, reader.GetString(0), secret, createdAt);
    }

    public async Task CreateAsync(StoredCredential credential, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credential);
        await using var connection = await SchemaMigrations.OpenAsync(connectionString, cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO credentials (access_key, project_id, secret_encrypted, created_at) VALUES ($ak, $project, $secret, $created)";
        command.Parameters.AddWithValue("$ak", credential.AccessKey);
        command.Parameters.AddWithValue("$project", credential.ProjectId);
        command.Parameters.AddWithValue("$secret", protector.Protect(credential.SecretKey, context: credential.AccessKey));
        command.Parameters.AddWithValue("$created", credential.CreatedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}

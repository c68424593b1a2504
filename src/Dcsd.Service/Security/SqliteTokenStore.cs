using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Dcsd.Service.Persistence;
using Microsoft.Extensions.Options;

namespace Dcsd.Service.Security;

/// <summary>
/// Tokens in SQLite table <c>auth_tokens</c>, keyed by the SHA-256 of the token: a leaked database holds nothing a client could present.
/// A plain hash (no salt, no KDF) suffices because tokens are 256 random bits, not guessable passwords.
/// </summary>
internal sealed class SqliteTokenStore(string connectionString, TimeProvider timeProvider, IOptions<DcsSecurityOptions> options) : ITokenStore
{
    /// <summary>Expired tokens are kept this long so their holders get "expired" (DCS.1002) rather than "invalid", then purged.</summary>
    private static readonly TimeSpan ExpiredRetention = TimeSpan.FromDays(7);

    private readonly TimeSpan _lifetime = options.Value.TokenLifetime;

    public async Task<IssuedToken> IssueAsync(string projectId, string accessKey, CancellationToken cancellationToken)
    {
        var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var issuedAt = timeProvider.GetUtcNow();
        var expiresAt = issuedAt + _lifetime;

        await using var connection = await SchemaMigrations.OpenAsync(connectionString, cancellationToken).ConfigureAwait(false);
        await using (var purge = connection.CreateCommand())
        {
            purge.CommandText = "DELETE FROM auth_tokens WHERE expires_at_ms < $cutoff";
            purge.Parameters.AddWithValue("$cutoff", (issuedAt - ExpiredRetention).ToUnixTimeMilliseconds());
            await purge.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO auth_tokens (token_sha256, project_id, access_key, issued_at_ms, expires_at_ms) VALUES ($hash, $project, $ak, $issued, $expires)";
        insert.Parameters.AddWithValue("$hash", Hash(token));
        insert.Parameters.AddWithValue("$project", projectId);
        insert.Parameters.AddWithValue("$ak", accessKey);
        insert.Parameters.AddWithValue("$issued", issuedAt.ToUnixTimeMilliseconds());
        insert.Parameters.AddWithValue("$expires", expiresAt.ToUnixTimeMilliseconds());
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return new IssuedToken(token, projectId, accessKey, issuedAt, expiresAt);
    }

    public async Task<TokenGrant?> FindAsync(string token, CancellationToken cancellationToken)
    {
        await using var connection = await SchemaMigrations.OpenAsync(connectionString, cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT project_id, access_key, issued_at_ms, expires_at_ms FROM auth_tokens WHERE token_sha256 = $hash";
        command.Parameters.AddWithValue("$hash", Hash(token));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new TokenGrant(
            reader.GetString(0),
            reader.GetString(1),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)));
    }

    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}

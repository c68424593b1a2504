using Dcsd.Service.Security;
using Dcsd.Testing;
using Microsoft.Extensions.Options;

namespace Dcsd.Service.Tests.Security;

public sealed class SqliteStoresTests : IDisposable
{
    private readonly TempDirectory _directory = new("dcsd-store");

    public void Dispose() => _directory.Dispose();

    private string DatabasePath => _directory.Combine("dcsd.db");

    private string ConnectionString => "Data Source=" + DatabasePath + ";Pooling=False";

    [Fact]
    public async Task Credential_round_trips_and_the_secret_is_encrypted_in_the_file()
    {
        var store = new SqliteCredentialStore(ConnectionString, new SecretProtector(_directory.Combine("secret.key")));
        var credential = CredentialGenerator.Create("p1");

        await store.CreateAsync(credential, CancellationToken.None);
        var found = await store.FindAsync(credential.AccessKey, CancellationToken.None);

        Assert.NotNull(found);
        Assert.Equal(credential.SecretKey, found.SecretKey);
        Assert.Equal("p1", found.ProjectId);
        Assert.Equal(credential.CreatedAt.ToUnixTimeMilliseconds(), found.CreatedAt.ToUnixTimeMilliseconds());
        var fileText = System.Text.Encoding.Latin1.GetString(await File.ReadAllBytesAsync(DatabasePath));
        Assert.Contains(credential.AccessKey, fileText, StringComparison.Ordinal);
        Assert.DoesNotContain(credential.SecretKey, fileText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_access_key_is_null_and_a_duplicate_is_refused()
    {
        var store = new SqliteCredentialStore(ConnectionString, new SecretProtector(_directory.Combine("secret.key")));
        var credential = CredentialGenerator.Create("p1");
        await store.CreateAsync(credential, CancellationToken.None);

        Assert.Null(await store.FindAsync("NOSUCHKEY", CancellationToken.None));
        await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() => store.CreateAsync(credential, CancellationToken.None));
    }

    [Fact]
    public async Task A_database_read_under_another_key_fails_loudly()
    {
        var credential = CredentialGenerator.Create("p1");
        await new SqliteCredentialStore(ConnectionString, new SecretProtector(_directory.Combine("a.key"))).CreateAsync(credential, CancellationToken.None);

        var otherKey = new SqliteCredentialStore(ConnectionString, new SecretProtector(_directory.Combine("b.key")));

        await Assert.ThrowsAsync<SecretDecryptionException>(() => otherKey.FindAsync(credential.AccessKey, CancellationToken.None));
    }

    [Fact]
    public async Task Token_is_issued_for_24_hours_found_by_value_and_stored_only_as_a_hash()
    {
        var clock = new FixedTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var store = new SqliteTokenStore(ConnectionString, clock, Options.Create(new DcsSecurityOptions()));

        var token = await store.IssueAsync("p1", "AK1", CancellationToken.None);
        var grant = await store.FindAsync(token.Value, CancellationToken.None);

        Assert.True(token.Value.Length >= 43);
        Assert.Equal(clock.Now.AddHours(24), token.ExpiresAt);
        Assert.Equal(new TokenGrant("p1", "AK1", clock.Now, clock.Now.AddHours(24)), grant);
        Assert.Null(await store.FindAsync(token.Value + "x", CancellationToken.None));
        Assert.DoesNotContain(token.Value, System.Text.Encoding.Latin1.GetString(await File.ReadAllBytesAsync(DatabasePath)), StringComparison.Ordinal);
        Assert.DoesNotContain(token.Value, token.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Expired_tokens_are_kept_for_a_week_then_purged()
    {
        var clock = new FixedTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var store = new SqliteTokenStore(ConnectionString, clock, Options.Create(new DcsSecurityOptions()));
        var old = await store.IssueAsync("p1", "AK1", CancellationToken.None);

        clock.Now = clock.Now.AddDays(2);
        await store.IssueAsync("p1", "AK1", CancellationToken.None);
        Assert.NotNull(await store.FindAsync(old.Value, CancellationToken.None));

        clock.Now = clock.Now.AddDays(7);
        await store.IssueAsync("p1", "AK1", CancellationToken.None);
        Assert.Null(await store.FindAsync(old.Value, CancellationToken.None));
    }
}

using Microsoft.Data.Sqlite;

namespace Dcsd.Service.Security;

/// <summary>
/// Runs a store's CREATE TABLE IF NOT EXISTS on first use, so stores need no separate migration step. The DDL is idempotent, so two
/// threads racing on the first call both running it is harmless and needs no lock.
/// </summary>
internal sealed class SqliteSchema(string connectionString, string ddl)
{
    private volatile bool _created;

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            if (!_created)
            {
                await using var command = connection.CreateCommand();
                command.CommandText = ddl;
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                _created = true;
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}

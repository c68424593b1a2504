using Microsoft.Data.Sqlite;

namespace Dcsd.Service.Persistence;

/// <summary>dcsd's metadata: one SQLite file in the data directory (schema: <see cref="SchemaMigrations"/>), opened per operation from the pool.</summary>
internal sealed class DcsdDatabase
{
    private readonly string _connectionString;

    public DcsdDatabase(string path)
    {
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        SchemaMigrations.Apply(_connectionString);
    }

    public string ConnectionString => _connectionString;

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }
}

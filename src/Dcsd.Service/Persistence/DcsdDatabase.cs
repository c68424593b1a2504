using Microsoft.Data.Sqlite;

namespace Dcsd.Service.Persistence;

/// <summary>dcsd's metadata: one SQLite file in the data directory, opened per operation from the pool.</summary>
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
        Migrate();
    }

    public string ConnectionString => _connectionString;

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    private void Migrate()
    {
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = NORMAL;
            CREATE TABLE IF NOT EXISTS instances (
                id TEXT PRIMARY KEY,
                project_id TEXT NOT NULL,
                name TEXT NOT NULL,
                description TEXT,
                engine TEXT NOT NULL,
                engine_version TEXT NOT NULL,
                cache_mode TEXT NOT NULL,
                spec_code TEXT NOT NULL,
                capacity REAL NOT NULL,
                password TEXT,
                debug_command INTEGER NOT NULL DEFAULT 0,
                status TEXT NOT NULL,
                nodes TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                sharding_count INTEGER NOT NULL DEFAULT 1,
                adopted_seeds TEXT
            );
            CREATE INDEX IF NOT EXISTS instances_by_project ON instances(project_id, created_at);
            CREATE TABLE IF NOT EXISTS backups (
                id TEXT PRIMARY KEY,
                project_id TEXT NOT NULL,
                instance_id TEXT NOT NULL,
                name TEXT NOT NULL,
                remark TEXT,
                status TEXT NOT NULL,
                progress REAL NOT NULL,
                size INTEGER NOT NULL,
                backup_type TEXT NOT NULL,
                backup_format TEXT NOT NULL,
                error_code TEXT,
                error_message TEXT,
                file_prefix TEXT NOT NULL,
                manifest TEXT,
                census TEXT,
                created_at INTEGER NOT NULL,
                execution_at INTEGER,
                updated_at INTEGER NOT NULL
            );
            CREATE INDEX IF NOT EXISTS backups_by_instance ON backups(project_id, instance_id, created_at);
            CREATE INDEX IF NOT EXISTS backups_by_status ON backups(status);
            CREATE TABLE IF NOT EXISTS restores (
                id TEXT PRIMARY KEY,
                project_id TEXT NOT NULL,
                instance_id TEXT NOT NULL,
                backup_id TEXT NOT NULL,
                source_instance_id TEXT NOT NULL,
                name TEXT NOT NULL,
                remark TEXT,
                status TEXT NOT NULL,
                progress REAL NOT NULL,
                engine TEXT,
                error_code TEXT,
                error_message TEXT,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL
            );
            CREATE INDEX IF NOT EXISTS restores_by_instance ON restores(project_id, instance_id, created_at);
            CREATE INDEX IF NOT EXISTS restores_by_status ON restores(status);
            CREATE TABLE IF NOT EXISTS migration_tasks (
                id TEXT PRIMARY KEY,
                project_id TEXT NOT NULL,
                name TEXT NOT NULL,
                description TEXT,
                migration_type TEXT NOT NULL,
                migration_method TEXT NOT NULL,
                file_source TEXT NOT NULL,
                backup_id TEXT NOT NULL,
                source_instance_id TEXT NOT NULL,
                target_instance_id TEXT NOT NULL,
                status TEXT NOT NULL,
                progress REAL NOT NULL,
                engine TEXT,
                error_message TEXT,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                multi_db_policy TEXT NOT NULL DEFAULT 'refuse'
            );
            CREATE INDEX IF NOT EXISTS migration_tasks_by_project ON migration_tasks(project_id, created_at);
            CREATE INDEX IF NOT EXISTS migration_tasks_by_target ON migration_tasks(target_instance_id, status);
            """;
        command.ExecuteNonQuery();
        AddColumnIfMissing(connection, "instances", "sharding_count", "INTEGER NOT NULL DEFAULT 1");
        AddColumnIfMissing(connection, "instances", "adopted_seeds", "TEXT");
    }

    /// <summary>Brings a data directory made by an earlier dcsd up to the current schema (SQLite has no ADD COLUMN IF NOT EXISTS).</summary>
    private static void AddColumnIfMissing(SqliteConnection connection, string table, string column, string definition)
    {
        using var probe = connection.CreateCommand();
        probe.CommandText = $"SELECT COUNT(*) FROM pragma_table_info('{table}') WHERE name = '{column}'";
        if ((long)probe.ExecuteScalar()! == 0)
        {
            using var alter = connection.CreateCommand();
            alter.CommandText = $"ALTER TABLE {table} ADD COLUMN {column} {definition}";
            alter.ExecuteNonQuery();
        }
    }
}

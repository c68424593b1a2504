using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Dcsd.Service.Persistence;

/// <summary>
/// The one place dcsd's SQLite schema is defined: numbered migrations applied in order, the version kept in
/// <c>PRAGMA user_version</c>. Each step runs in an immediate transaction that re-reads the version, so two processes opening
/// the same file (a running dcsd and <c>dcs credentials create</c>) apply it once. Add a step; never edit a released one.
/// </summary>
internal static class SchemaMigrations
{
    private static readonly ConcurrentDictionary<string, Lazy<bool>> Migrated = new(StringComparer.Ordinal);

    private static readonly (int Version, Action<SqliteConnection> Apply)[] Steps =
    [
        (1, Baseline),
    ];

    public static int LatestVersion => Steps[^1].Version;

    /// <summary>Brings the database at <paramref name="connectionString"/> to the latest version, once per process.</summary>
    public static void EnsureMigrated(string connectionString) =>
        _ = Migrated.GetOrAdd(connectionString, cs => new Lazy<bool>(() => Migrate(cs))).Value;

    /// <summary>Brings the database to the latest version now, even if this process did so before (the file may be new).</summary>
    public static void Apply(string connectionString) => Migrated[connectionString] = new Lazy<bool>(Migrate(connectionString));

    /// <summary>Opens a connection to a database brought to the latest version.</summary>
    public static async Task<SqliteConnection> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        EnsureMigrated(connectionString);
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static bool Migrate(string connectionString)
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        Execute(connection, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
        foreach (var (version, apply) in Steps)
        {
            using var transaction = connection.BeginTransaction(deferred: false);
            if (UserVersion(connection) < version)
            {
                apply(connection);
                Execute(connection, $"PRAGMA user_version = {version}");
            }

            transaction.Commit();
        }

        return true;
    }

    /// <summary>
    /// Version 1: the schema as it stood when versioning began. Written with IF NOT EXISTS and column probes, because data
    /// directories from before then (user_version 0) hold some or all of it already.
    /// </summary>
    private static void Baseline(SqliteConnection connection)
    {
        Execute(connection, """
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
        CREATE TABLE IF NOT EXISTS credentials (
            access_key TEXT NOT NULL PRIMARY KEY,
            project_id TEXT NOT NULL,
            secret_encrypted TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS auth_tokens (
            token_sha256 TEXT NOT NULL PRIMARY KEY,
            project_id TEXT NOT NULL,
            access_key TEXT NOT NULL,
            issued_at_ms INTEGER NOT NULL,
            expires_at_ms INTEGER NOT NULL
        );
        """);
        AddColumnIfMissing(connection, "instances", "sharding_count", "INTEGER NOT NULL DEFAULT 1");
        AddColumnIfMissing(connection, "instances", "adopted_seeds", "TEXT");
    }

    private static long UserVersion(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version";
        return (long)command.ExecuteScalar()!;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>SQLite has no ADD COLUMN IF NOT EXISTS.</summary>
    private static void AddColumnIfMissing(SqliteConnection connection, string table, string column, string definition)
    {
        using var probe = connection.CreateCommand();
        probe.CommandText = $"SELECT COUNT(*) FROM pragma_table_info('{table}') WHERE name = '{column}'";
        if ((long)probe.ExecuteScalar()! == 0)
        {
            Execute(connection, $"ALTER TABLE {table} ADD COLUMN {column} {definition}");
        }
    }
}

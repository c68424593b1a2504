using Microsoft.Data.Sqlite;

namespace Dcsd.Service.Persistence;

internal static class SqliteExtensions
{
    public static SqliteCommand Command(this SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    /// <summary>Runs one statement that returns no rows (an UPDATE, a DELETE).</summary>
    public static async Task ExecuteAsync(this DcsdDatabase database, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command(sql, parameters);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs a SELECT and maps every row.</summary>
    public static async Task<List<T>> QueryAsync<T>(
        this DcsdDatabase database, string sql, Func<SqliteDataReader, T> read, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command(sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var result = new List<T>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(read(reader));
        }

        return result;
    }

    /// <summary>
    /// One page of an instance's job records (backups or restores), newest first, and the exact number of matching records
    /// (the Terraform provider pages until offset reaches total_num, so it must be exact).
    /// </summary>
    public static async Task<(long Total, List<T> Page)> PageAsync<T>(
        this DcsdDatabase database,
        string table,
        string columns,
        Func<SqliteDataReader, T> read,
        string projectId,
        string instanceId,
        DateTimeOffset? from,
        DateTimeOffset? to,
        int offset,
        int limit,
        CancellationToken cancellationToken)
    {
        const string Filter = "WHERE project_id = $project AND instance_id = $instance AND created_at >= $from AND created_at <= $to";
        (string, object?)[] parameters =
        [
            ("$project", projectId),
            ("$instance", instanceId),
            ("$from", (from ?? DateTimeOffset.MinValue).ToUnixMs()),
            ("$to", (to ?? DateTimeOffset.MaxValue).ToUnixMs()),
            ("$offset", offset),
            ("$limit", limit),
        ];
        long total;
        await using (var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false))
        await using (var count = connection.Command($"SELECT COUNT(*) FROM {table} {Filter}", parameters))
        {
            total = (long)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        var page = await database.QueryAsync($"SELECT {columns} FROM {table} {Filter} ORDER BY created_at DESC, id LIMIT $limit OFFSET $offset", read, cancellationToken, parameters).ConfigureAwait(false);
        return (total, page);
    }

    public static long ToUnixMs(this DateTimeOffset value) => value.ToUnixTimeMilliseconds();

    public static DateTimeOffset FromUnixMs(long value) => DateTimeOffset.FromUnixTimeMilliseconds(value);

    public static string? GetNullableString(this SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static DateTimeOffset? GetNullableTime(this SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : FromUnixMs(reader.GetInt64(ordinal));
}

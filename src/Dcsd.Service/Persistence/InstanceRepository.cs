using System.Text.Json;
using Dcsd.Service.Security;
using Microsoft.Data.Sqlite;

namespace Dcsd.Service.Persistence;

/// <summary>Instance records. Passwords are stored encrypted (AES-GCM, bound to the instance id) and decrypted on read.</summary>
internal sealed class InstanceRepository(DcsdDatabase database, SecretProtector secrets)
{
    private const string Columns = "id, project_id, name, description, engine, engine_version, cache_mode, spec_code, capacity, password, debug_command, status, nodes, created_at, updated_at, sharding_count, adopted_seeds";

    public async Task InsertAsync(InstanceRecord instance, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command(
            $"INSERT INTO instances ({Columns}) VALUES ($id, $project, $name, $description, $engine, $version, $mode, $spec, $capacity, $password, $debug, $status, $nodes, $created, $updated, $shards, $adopted)",
            ("$id", instance.Id),
            ("$project", instance.ProjectId),
            ("$name", instance.Name),
            ("$description", instance.Description),
            ("$engine", instance.Engine),
            ("$version", instance.EngineVersion),
            ("$mode", instance.CacheMode),
            ("$spec", instance.SpecCode),
            ("$capacity", instance.Capacity),
            ("$password", instance.Password is null ? null : secrets.Protect(instance.Password, instance.Id)),
            ("$debug", instance.DebugCommandEnabled ? 1 : 0),
            ("$status", instance.Status),
            ("$nodes", JsonSerializer.Serialize(instance.Nodes)),
            ("$created", instance.CreatedAt.ToUnixMs()),
            ("$updated", instance.UpdatedAt.ToUnixMs()),
            ("$shards", instance.ShardingCount),
            ("$adopted", instance.AdoptedSeeds is null ? null : JsonSerializer.Serialize(instance.AdoptedSeeds)));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<InstanceRecord?> GetAsync(string projectId, string id, CancellationToken cancellationToken)
    {
        var found = await QueryAsync("WHERE project_id = $project AND id = $id", cancellationToken, ("$project", projectId), ("$id", id)).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    public async Task<InstanceRecord?> GetByIdAsync(string id, CancellationToken cancellationToken)
    {
        var found = await QueryAsync("WHERE id = $id", cancellationToken, ("$id", id)).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    public Task<List<InstanceRecord>> ListAsync(string projectId, CancellationToken cancellationToken) =>
        QueryAsync("WHERE project_id = $project ORDER BY created_at DESC", cancellationToken, ("$project", projectId));

    public Task<List<InstanceRecord>> ListAllAsync(CancellationToken cancellationToken) =>
        QueryAsync("ORDER BY created_at", cancellationToken);

    public async Task UpdateStatusAsync(string id, string status, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command(
            "UPDATE instances SET status = $status, updated_at = $now WHERE id = $id",
            ("$status", status),
            ("$now", DateTimeOffset.UtcNow.ToUnixMs()),
            ("$id", id));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task UpdateNodesAsync(string id, IReadOnlyList<NodeRecord> nodes, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command(
            "UPDATE instances SET nodes = $nodes, updated_at = $now WHERE id = $id",
            ("$nodes", JsonSerializer.Serialize(nodes)),
            ("$now", DateTimeOffset.UtcNow.ToUnixMs()),
            ("$id", id));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command("DELETE FROM instances WHERE id = $id", ("$id", id));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private Task<List<InstanceRecord>> QueryAsync(string where, CancellationToken cancellationToken, params (string, object?)[] parameters) =>
        database.QueryAsync($"SELECT {Columns} FROM instances {where}", Read, cancellationToken, parameters);

    private InstanceRecord Read(SqliteDataReader reader) => new()
    {
        Id = reader.GetString(0),
        ProjectId = reader.GetString(1),
        Name = reader.GetString(2),
        Description = reader.GetNullableString(3),
        Engine = reader.GetString(4),
        EngineVersion = reader.GetString(5),
        CacheMode = reader.GetString(6),
        SpecCode = reader.GetString(7),
        Capacity = reader.GetDouble(8),
        Password = reader.GetNullableString(9) is { } stored ? secrets.Unprotect(stored, reader.GetString(0)) : null,
        DebugCommandEnabled = reader.GetInt64(10) != 0,
        Status = reader.GetString(11),
        Nodes = JsonSerializer.Deserialize<List<NodeRecord>>(reader.GetString(12)) ?? [],
        CreatedAt = SqliteExtensions.FromUnixMs(reader.GetInt64(13)),
        UpdatedAt = SqliteExtensions.FromUnixMs(reader.GetInt64(14)),
        ShardingCount = reader.GetInt32(15),
        AdoptedSeeds = reader.GetNullableString(16) is { } seeds ? JsonSerializer.Deserialize<List<string>>(seeds) : null,
    };
}

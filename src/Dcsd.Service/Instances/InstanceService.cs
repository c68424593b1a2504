using System.Security.Cryptography;
using System.Text.Json;
using Dcsd.Redis.Topology;
using Dcsd.Service.Http;
using Dcsd.Service.Http.Instances;
using Dcsd.Service.Persistence;
using Microsoft.Extensions.Logging;
using Dcsd.Service.Dcs;

namespace Dcsd.Service.Instances;

/// <summary>Creates and deletes instances: validates the DCS request, records it, and brings its nodes up in the background.</summary>
internal sealed class InstanceService(
    InstanceRepository instances,
    DcsdDatabase database,
    LocalInstanceProvider provider,
    InstanceReadiness readiness,
    RedisAdmin admin,
    TimeProvider time,
    ILogger<InstanceService> logger)
{
    private const double DefaultCapacityGb = 0.125;

    private const int MaxShards = 16;
    private const int DefaultShards = 3;
    private const int MaxAdoptSeeds = 64;
    private static readonly TimeSpan AdoptDiscoveryTimeout = TimeSpan.FromSeconds(15);

    // A cluster's standbys sync one after the other with every shard's master; a busy host needs minutes, not seconds.
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(3);

    public async Task<InstanceRecord> CreateAsync(string projectId, CreateInstanceRequest request, CancellationToken cancellationToken)
    {
        if (request.Adopt is not null)
        {
            return await AdoptAsync(projectId, request, request.Adopt, cancellationToken).ConfigureAwait(false);
        }

        var instance = Validate(projectId, request);
        await instances.InsertAsync(instance, cancellationToken).ConfigureAwait(false);

        // The API answers at once with the id; the nodes come up in the background as DCS does (CREATING → RUNNING).
        _ = Task.Run(() => BringUpAsync(instance), CancellationToken.None);
        return instance;
    }

    public async Task DeleteAsync(InstanceRecord instance, CancellationToken cancellationToken)
    {
        await admin.ForgetAsync(instance).ConfigureAwait(false);
        await provider.DeleteFilesAsync(instance, cancellationToken).ConfigureAwait(false);
        await instances.DeleteAsync(instance.Id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The backup or restore waiting or running on the instance, if any.</summary>
    public Task<ActiveJob> ActiveJobAsync(string instanceId, CancellationToken cancellationToken) =>
        InstanceJobGate.FindActiveAsync(database, instanceId, cancellationToken);

    private async Task BringUpAsync(InstanceRecord instance)
    {
        try
        {
            var nodes = await provider.CreateNodesAsync(instance, CancellationToken.None).ConfigureAwait(false);
            instance = instance with { Nodes = nodes };
            await instances.UpdateNodesAsync(instance.Id, nodes, CancellationToken.None).ConfigureAwait(false);
            await readiness.WaitUntilReadyAsync(instance, ReadyTimeout, CancellationToken.None).ConfigureAwait(false);
            await instances.UpdateStatusAsync(instance.Id, InstanceStatus.Running, CancellationToken.None).ConfigureAwait(false);
            Log.InstanceStatus(logger, instance.Id, instance.CacheMode, InstanceStatus.Running);
        }
        catch (Exception ex)
        {
            Log.InstanceCreateFailed(logger, ex, instance.Id);
            await instances.UpdateStatusAsync(instance.Id, InstanceStatus.CreateFailed, CancellationToken.None).ConfigureAwait(false);
            await provider.StopAsync(instance, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Records a deployment that already runs: its real mode and nodes are read from the given addresses now, so a wrong
    /// address, password or spec_code is refused at once; the instance is RUNNING from the start.
    /// </summary>
    private async Task<InstanceRecord> AdoptAsync(string projectId, CreateInstanceRequest request, AdoptRequest adopt, CancellationToken cancellationToken)
    {
        if (adopt.Nodes is not { Count: > 0 and <= MaxAdoptSeeds } seeds)
        {
            throw new DcsException(DcsErrors.InvalidParameter("adopt.nodes").WithMessage($"adopt.nodes must list 1 to {MaxAdoptSeeds} host:port addresses."));
        }

        var endPoints = new List<(string Host, int Port)>();
        foreach (string seed in seeds)
        {
            try
            {
                endPoints.Add(InstanceTopology.ParseEndPoint(seed ?? string.Empty));
            }
            catch (FormatException ex)
            {
                throw new DcsException(DcsErrors.InvalidParameter("adopt.nodes").WithMessage($"Invalid adopt.nodes parameter: {ex.Message}."));
            }
        }

        string? password = adopt.Password ?? request.Password;
        ValidatePassword(password, "adopt.password");
        var template = Validate(projectId, request with { SpecCode = null, ResourceSpecCode = "dcs.master_standby", Adopt = null });

        Deployment deployment;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(AdoptDiscoveryTimeout);
            try
            {
                deployment = await RedisTopology.DiscoverAsync(endPoints, password, timeout.Token).ConfigureAwait(false);
            }
            catch (TopologyException ex)
            {
                throw new DcsException(DcsErrors.InvalidParameter("adopt.nodes").WithMessage("The nodes could not be adopted: " + ex.Message));
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new DcsException(DcsErrors.InvalidParameter("adopt.nodes").WithMessage($"The nodes could not be adopted: no answer within {AdoptDiscoveryTimeout.TotalSeconds:0} s."));
            }
        }

        string mode = InstanceTopology.CacheModeOf(deployment.Mode);
        string? specCode = request.SpecCode ?? request.ResourceSpecCode;
        if (specCode is not null && SpecCodes.CacheModeOf(specCode) != mode)
        {
            throw new DcsException(DcsErrors.InvalidParameter("spec_code").WithMessage(
                $"The nodes run a {mode} deployment; spec_code {specCode} asks for {SpecCodes.CacheModeOf(specCode) ?? "an unknown mode"}."));
        }

        var instance = template with
        {
            CacheMode = mode,
            SpecCode = specCode ?? $"redis.{mode}.adopted",
            Password = password,
            Status = InstanceStatus.Running,
            Nodes = InstanceTopology.NodesOf(deployment),
            ShardingCount = deployment.Shards.Count,
            AdoptedSeeds = [.. endPoints.Select(endPoint => endPoint.Host.Contains(':', StringComparison.Ordinal) ? $"[{endPoint.Host}]:{endPoint.Port}" : $"{endPoint.Host}:{endPoint.Port}")],
        };
        await instances.InsertAsync(instance, cancellationToken).ConfigureAwait(false);
        Log.InstanceAdopted(logger, instance.Id, mode, deployment.Shards.Count, instance.Nodes.Count);
        return instance;
    }

    private InstanceRecord Validate(string projectId, CreateInstanceRequest request)
    {
        string name = request.Name?.Trim() ?? string.Empty;
        if (name.Length is 0 or > 64)
        {
            throw new DcsException(DcsErrors.InvalidParameter("name"));
        }

        if (request.Description is { Length: > 1024 })
        {
            throw new DcsException(DcsErrors.InvalidParameter("description"));
        }

        if (request.Engine is not null && !request.Engine.Equals("Redis", StringComparison.OrdinalIgnoreCase))
        {
            throw new DcsException(DcsErrors.InvalidParameter("engine"));
        }

        string specCode = request.SpecCode ?? request.ResourceSpecCode ?? string.Empty;
        string cacheMode = SpecCodes.CacheModeOf(specCode) ?? throw new DcsException(DcsErrors.InvalidParameter("spec_code"));
        int shards = 1;
        if (cacheMode == CacheModes.Cluster)
        {
            shards = request.ShardingCount ?? DefaultShards;
            if (shards is < 1 or > MaxShards)
            {
                throw new DcsException(DcsErrors.InvalidParameter("sharding_count").WithMessage($"sharding_count must be 1 to {MaxShards}."));
            }
        }

        double capacity = request.Capacity ?? DefaultCapacityGb;
        if (capacity is <= 0 or > 1024 || double.IsNaN(capacity))
        {
            throw new DcsException(DcsErrors.InvalidParameter("capacity"));
        }

        var now = time.GetUtcNow();
        return new InstanceRecord
        {
            Id = Guid.NewGuid().ToString(),
            ProjectId = projectId,
            Name = name,
            Description = request.Description,
            Engine = "Redis",
            EngineVersion = string.IsNullOrWhiteSpace(request.EngineVersion) ? "7.0" : request.EngineVersion.Trim(),
            CacheMode = cacheMode,
            SpecCode = specCode,
            Capacity = capacity,
            Password = ResolvePassword(request),
            DebugCommandEnabled = request.EnableDebugCommand == true,
            Status = InstanceStatus.Creating,
            Nodes = [],
            ShardingCount = shards,
            CreatedAt = now,
            UpdatedAt = now,
        };
    }

    /// <summary>Every instance gets a password (a generated one when none is given) unless password-free access is asked for explicitly.</summary>
    private static string? ResolvePassword(CreateInstanceRequest request)
    {
        bool noPassword = request.NoPasswordAccess switch
        {
            { ValueKind: JsonValueKind.True } => true,
            { ValueKind: JsonValueKind.String } e when bool.TryParse(e.GetString(), out bool b) => b,
            null or { ValueKind: JsonValueKind.False or JsonValueKind.Null } => false,
            _ => throw new DcsException(DcsErrors.InvalidParameter("no_password_access")),
        };
        if (!string.IsNullOrEmpty(request.Password))
        {
            ValidatePassword(request.Password, "password");
            return request.Password;
        }

        return noPassword ? null : Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
    }

    private static void ValidatePassword(string? password, string field)
    {
        if (password is not null && (password.Length > 64 || password.Any(char.IsControl)))
        {
            throw new DcsException(DcsErrors.InvalidParameter(field));
        }
    }
}

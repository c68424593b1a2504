using System.Security.Cryptography;
using System.Text.Json;
using Dcsd.Service.Api;
using Dcsd.Service.Api.Instances;
using Dcsd.Service.Store;
using Microsoft.Extensions.Logging;

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

    public async Task<InstanceRecord> CreateAsync(string projectId, CreateInstanceRequest request, CancellationToken cancellationToken)
    {
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
            await readiness.WaitUntilReadyAsync(instance, TimeSpan.FromSeconds(60), CancellationToken.None).ConfigureAwait(false);
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
        if (cacheMode == CacheModes.Cluster)
        {
            throw new DcsException(DcsErrors.InstanceTypeNotSupported.WithMessage("Cluster instances are not supported by this dcsd yet."));
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
            if (request.Password.Length > 64 || request.Password.Any(char.IsControl))
            {
                throw new DcsException(DcsErrors.InvalidParameter("password"));
            }

            return request.Password;
        }

        return noPassword ? null : Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
    }
}

namespace Dcsd.Service.Instances;

/// <summary>
/// An instance as asked (DCS's CreateInstance, v1.0 and v2 mapped to one shape), fields still unchecked: the rules and their
/// DCS error codes are <see cref="InstanceService"/>'s.
/// </summary>
internal sealed record CreateInstanceCommand
{
    public string? Name { get; init; }

    public string? Description { get; init; }

    public string? Engine { get; init; }

    public string? EngineVersion { get; init; }

    public double? Capacity { get; init; }

    /// <summary>spec_code (v2) or resource_spec_code (v1.0).</summary>
    public string? SpecCode { get; init; }

    public string? Password { get; init; }

    public bool EnableDebugCommand { get; init; }

    /// <summary>Only an explicit yes leaves the instance without a password; null when the value given is not a boolean.</summary>
    public bool? NoPasswordAccess { get; init; } = false;

    public int? ShardingCount { get; init; }

    /// <summary>Set when the instance stands for a deployment that already runs.</summary>
    public AdoptCommand? Adopt { get; init; }
}

/// <param name="Nodes">host:port of one or more of the deployment's nodes.</param>
/// <param name="Password">The deployment's password; the instance password is used when this is absent.</param>
internal sealed record AdoptCommand(IReadOnlyList<string?>? Nodes, string? Password);

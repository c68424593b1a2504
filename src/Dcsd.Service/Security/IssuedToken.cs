namespace Dcsd.Service.Security;

/// <summary>
/// A project-scoped token. <see cref="Value"/> is the opaque bearer string, known only right after issuing (the store keeps a hash),
/// and is left out of <see cref="ToString"/>.
/// </summary>
internal sealed class IssuedToken(string value, string projectId, string accessKey, DateTimeOffset issuedAt, DateTimeOffset expiresAt)
{
    public string Value { get; } = value;

    public string ProjectId { get; } = projectId;

    public string AccessKey { get; } = accessKey;

    public DateTimeOffset IssuedAt { get; } = issuedAt;

    public DateTimeOffset ExpiresAt { get; } = expiresAt;

    public override string ToString() => $"Token for {AccessKey} (project {ProjectId}) expiring {ExpiresAt:O}";
}

namespace Dcsd.Service.Security;

/// <summary>
/// An AK/SK pair bound to one project, with the secret in clear (decrypted by the store). A class rather than a record so that
/// <see cref="ToString"/> cannot print the secret into a log.
/// </summary>
internal sealed class StoredCredential(string accessKey, string projectId, string secretKey, DateTimeOffset createdAt)
{
    public string AccessKey { get; } = accessKey;

    public string ProjectId { get; } = projectId;

    public string SecretKey { get; } = secretKey;

    public DateTimeOffset CreatedAt { get; } = createdAt;

    public override string ToString() => $"Credential {AccessKey} (project {ProjectId})";
}

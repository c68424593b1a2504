namespace Dcsd.Service.Security;

/// <summary>Where AK/SK credentials live. Implementations keep secrets encrypted at rest and hand them back decrypted.</summary>
internal interface ICredentialStore
{
    /// <returns>The credential, or null when the access key is unknown.</returns>
    Task<StoredCredential?> FindAsync(string accessKey, CancellationToken cancellationToken);

    /// <summary>Stores a new credential; fails if the access key exists.</summary>
    Task CreateAsync(StoredCredential credential, CancellationToken cancellationToken);
}

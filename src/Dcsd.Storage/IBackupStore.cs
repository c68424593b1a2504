namespace Dcsd.Storage;

/// <summary>
/// Where backup files live. Keys are relative, '/'-separated paths such as
/// "{project}/{instance}/{backup}/redis_127.0.0.1_6379_0-16383_20260101000000.rdb".
/// A file becomes visible under its key only when its writer commits, so readers never see a partial file.
/// </summary>
public interface IBackupStore
{
    /// <summary>A short description for logs and the API (never contains credentials), e.g. "local:/var/lib/dcsd/backups".</summary>
    string Description { get; }

    Task<IBackupWriter> CreateAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Opens a committed file for reading. Throws <see cref="BackupFileNotFoundException"/> when absent.</summary>
    Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken = default);

    Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Deletes every file under the key prefix (a backup's folder). Deleting nothing is not an error.</summary>
    Task DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default);
}

/// <summary>
/// A file being written. Disposing without <see cref="CommitAsync"/> discards it.
/// </summary>
public interface IBackupWriter : IAsyncDisposable
{
    Stream Stream { get; }

    /// <summary>Flushes to durable storage and publishes the file under its key atomically.</summary>
    Task CommitAsync(CancellationToken cancellationToken = default);
}

public sealed class BackupFileNotFoundException(string key) : Exception($"backup file '{key}' does not exist")
{
    public string Key { get; } = key;
}

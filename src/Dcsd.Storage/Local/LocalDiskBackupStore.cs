namespace Dcsd.Storage.Local;

/// <summary>Backup files on a local file system: written to a temporary name, fsynced, then renamed into place.</summary>
public sealed class LocalDiskBackupStore : IBackupStore
{
    private const int BufferSize = 1 << 20;
    private readonly string _root;

    public LocalDiskBackupStore(string root)
    {
        _root = Path.GetFullPath(root);
        Directory.CreateDirectory(_root);
    }

    public string Description => "local:" + _root;

    public string PathOf(string key)
    {
        BackupKeys.Validate(key);
        return Path.Combine(_root, key.Replace('/', Path.DirectorySeparatorChar));
    }

    public Task<IBackupWriter> CreateAsync(string key, CancellationToken cancellationToken = default)
    {
        string finalPath = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(finalPath)!);
        string temporaryPath = finalPath + ".partial-" + Guid.NewGuid().ToString("N")[..8];
        var stream = new FileStream(temporaryPath, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            BufferSize = BufferSize,
            Options = FileOptions.Asynchronous,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        return Task.FromResult<IBackupWriter>(new Writer(stream, temporaryPath, finalPath));
    }

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken = default)
    {
        string path = PathOf(key);
        try
        {
            return Task.FromResult<Stream>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BackupFileNotFoundException(key);
        }
    }

    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => Task.FromResult(File.Exists(PathOf(key)));

    public Task DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default)
    {
        string path = PathOf(prefix.TrimEnd('/'));
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
        else if (File.Exists(path))
        {
            File.Delete(path);
        }

        return Task.CompletedTask;
    }

    private sealed class Writer(FileStream stream, string temporaryPath, string finalPath) : IBackupWriter
    {
        private bool _committed;

        public Stream Stream => stream;

        public async Task CommitAsync(CancellationToken cancellationToken = default)
        {
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
            await stream.DisposeAsync().ConfigureAwait(false);
            File.Move(temporaryPath, finalPath, overwrite: true);
            _committed = true;
        }

        public async ValueTask DisposeAsync()
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            if (!_committed)
            {
                File.Delete(temporaryPath);
            }
        }
    }
}

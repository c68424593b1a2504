using Dcsd.Redis.Replication;
using Dcsd.Testing;

namespace Dcsd.Redis.Tests.Replication;

/// <summary>Runs a fetch into a file and checks what every successful fetch must satisfy.</summary>
internal static class SnapshotFiles
{
    public static SnapshotSource SourceFor(TestRedis redis, string? password = null, TimeSpan? idleTimeout = null) => new()
    {
        Host = "127.0.0.1",
        Port = redis.Port,
        Password = password ?? redis.Password,
        IdleTimeout = idleTimeout ?? TimeSpan.FromSeconds(10),
        TotalTimeout = TimeSpan.FromSeconds(60),
    };

    public static async Task<SnapshotResult> FetchToFileAsync(SnapshotSource source, string path)
    {
        long lastProgress = 0;
        var progress = new SynchronousProgress(bytes => Volatile.Write(ref lastProgress, bytes));
        SnapshotResult result;
        await using (var file = File.Create(path))
        {
            result = await ReplicationSnapshotClient.FetchAsync(source, file, progress);
        }

        byte[] bytes = await File.ReadAllBytesAsync(path);
        Assert.Equal(result.Bytes, bytes.LongLength);
        Assert.Equal(result.Bytes, Volatile.Read(ref lastProgress));
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), result.Sha256Hex);

        // Exactly the RDB: starts with the magic (no keep-alive newline, no framing) and ends with 0xFF + CRC,
        // which also rules out a trailing end-of-transfer marker.
        Assert.True(bytes.AsSpan().StartsWith("REDIS"u8), "the file must start with the REDIS magic");
        Assert.Equal(0xFF, bytes[^9]);
        return result;
    }

    /// <summary>IProgress that reports on the calling thread, so the last report is visible when FetchAsync returns.</summary>
    private sealed class SynchronousProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}

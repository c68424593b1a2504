namespace Dcsd.Redis.Restore;

/// <summary>Tuning of the RESTORE engine. The defaults suit a loopback target.</summary>
public sealed record CommandRestoreOptions
{
    /// <summary>
    /// Values whose serialized form is bigger than this go as batches of native commands into a temporary key and are
    /// renamed over the real key, so neither dcsd nor one command holds the whole value.
    /// </summary>
    public long BigValueThreshold { get; init; } = 8L << 20;

    /// <summary>Bytes sent to the target but not yet answered; the reader of the file waits beyond this.</summary>
    public long MaxBytesInFlight { get; init; } = 8L << 20;

    /// <summary>Commands are written to the socket in blocks of about this size.</summary>
    public int FlushBytes { get; init; } = 256 * 1024;

    /// <summary>Bounds of one native command (arguments, bytes) when a big value is rendered.</summary>
    public int NativeBatchArguments { get; init; } = 1024;

    public long NativeBatchBytes { get; init; } = 4L << 20;

    /// <summary>
    /// Send strings that carry nothing but a small value (no expiry, idle time or frequency) as MSET batches rather than
    /// one RESTORE each: redis-server applies them in about half the time. Off: every key is a RESTORE.
    /// </summary>
    public bool BatchPlainStrings { get; init; } = true;

    /// <summary>Bounds of one MSET batch (pairs, bytes of keys and values); a value over a quarter of the bytes is a RESTORE.</summary>
    public int StringBatchKeys { get; init; } = 256;

    public int StringBatchBytes { get; init; } = 64 * 1024;

    /// <summary>
    /// Bytes of pairs all open batches may hold before they are sent, full or not. Only a cluster has more than one open
    /// (one per slot): the more each slot's MSET gathers, the less redis-server works, and pairs wait only in dcsd.
    /// </summary>
    public long StringBatchPendingBytes { get; init; } = 8L << 20;

    /// <summary>Empty the target first (FLUSHALL and, on Redis 7+, FUNCTION FLUSH). Off only for a caller that already did it.</summary>
    public bool FlushTarget { get; init; } = true;
}

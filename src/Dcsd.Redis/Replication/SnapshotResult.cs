namespace Dcsd.Redis.Replication;

/// <summary>How the master framed the RDB on the wire.</summary>
public enum SnapshotTransferMode
{
    /// <summary><c>$&lt;length&gt;</c>: the master ran a BGSAVE to disk first and sent the file.</summary>
    Counted,

    /// <summary><c>$EOF:&lt;40 hex&gt;</c>: the fork streamed straight to the socket, ending with the marker.</summary>
    Diskless,
}

/// <summary>What one successful fetch wrote to the destination.</summary>
/// <param name="Bytes">Length of the RDB written (no framing, no marker, no keep-alives).</param>
/// <param name="RdbVersion">The version from the REDISnnnn header.</param>
/// <param name="Sha256Hex">Lowercase hex SHA-256 of exactly the bytes written.</param>
/// <param name="ChecksumPresent">True when the stored CRC64 is non-zero (and therefore was verified).</param>
/// <param name="ReplicationId">From +FULLRESYNC; null when the server only answered SYNC.</param>
/// <param name="ReplicationOffset">From +FULLRESYNC: the replication offset the snapshot corresponds to.</param>
public sealed record SnapshotResult(
    long Bytes,
    int RdbVersion,
    string Sha256Hex,
    bool ChecksumPresent,
    SnapshotTransferMode Mode,
    string? ReplicationId,
    long? ReplicationOffset,
    TimeSpan Elapsed);

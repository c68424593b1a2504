namespace Dcsd.Redis.Replication;

/// <summary>Why a snapshot fetch failed; the service decides on retries and alerts from this.</summary>
public enum SnapshotFailure
{
    /// <summary>Nothing accepted the TCP connection (refused, unreachable, unknown host).</summary>
    Unreachable,

    /// <summary>Connect, idle (no byte at all) or total timeout.</summary>
    Timeout,

    /// <summary>The server closed or reset the connection before the RDB was complete.</summary>
    ConnectionLost,

    /// <summary>The server answered with an error (-NOMASTERLINK, -NOAUTH, -NOPERM, -LOADING, -ERR ...).</summary>
    Refused,

    /// <summary>AUTH was rejected.</summary>
    AuthenticationFailed,

    /// <summary>The server said something that is not the replication protocol.</summary>
    ProtocolViolation,

    /// <summary>The RDB is not valid: bad magic or version, missing EOF opcode, CRC64 mismatch, too short.</summary>
    Corrupt,
}

/// <summary>A failed fetch. Messages name host:port and the server's reply, never the password.</summary>
public sealed class SnapshotException : Exception
{
    public SnapshotException(SnapshotFailure reason, string message)
        : base(message)
    {
        Reason = reason;
    }

    public SnapshotException(SnapshotFailure reason, string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = reason;
    }

    public SnapshotFailure Reason { get; }
}

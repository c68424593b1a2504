namespace Dcsd.Redis.Restore;

/// <summary>Why a restore failed; the service maps this to the job's error code.</summary>
public enum RestoreFailure
{
    /// <summary>Nothing accepted the TCP connection.</summary>
    Unreachable,

    /// <summary>AUTH was rejected (or the target wants a password and none was given).</summary>
    AuthenticationFailed,

    /// <summary>Connect, reply or sync did not progress within the allowed time.</summary>
    Timeout,

    /// <summary>The target closed or reset the connection.</summary>
    ConnectionLost,

    /// <summary>The target answered a command with an error (the message names the key and the reply).</summary>
    TargetRejected,

    /// <summary>The target cannot take this file with the chosen engine (cluster mode, older RDB version, module type…).</summary>
    Incompatible,

    /// <summary>The RDB file is not valid.</summary>
    CorruptFile,

    /// <summary>Reading the RDB failed (a disk or store error), whatever the target did.</summary>
    FileUnreadable,

    /// <summary>The target said something that is not RESP, or the replica broke the replication protocol.</summary>
    ProtocolViolation,
}

/// <summary>A failed restore. Messages name host:port, the key and the server's reply, never a password.</summary>
public sealed class RestoreException : Exception
{
    public RestoreException(RestoreFailure reason, string message)
        : base(message)
    {
        Reason = reason;
    }

    public RestoreException(RestoreFailure reason, string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = reason;
    }

    public RestoreFailure Reason { get; }
}

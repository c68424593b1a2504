namespace Dcsd.Redis.Protocol;

/// <summary>
/// Why talking to Redis failed, whatever the engine (snapshot, restore, topology): the service maps it to a DCS error code,
/// and decides on retries and fall-backs from it.
/// </summary>
public enum RedisFailureKind
{
    /// <summary>Nothing accepted the TCP connection (refused, unreachable, unknown host).</summary>
    Unreachable,

    /// <summary>A node accepted the connection but did not answer (or make progress) within the allowed time.</summary>
    Timeout,

    /// <summary>The node closed or reset the connection midway.</summary>
    ConnectionLost,

    /// <summary>AUTH was rejected, or the node wants a password and none was given.</summary>
    AuthenticationFailed,

    /// <summary>The node answered a command with an error (-ERR, -NOMASTERLINK, -LOADING, -BUSYKEY …).</summary>
    Refused,

    /// <summary>The peer said something that is not RESP or not the replication protocol.</summary>
    ProtocolViolation,

    /// <summary>An RDB is not valid: bad magic or version, missing EOF opcode, CRC64 mismatch, too short.</summary>
    Corrupt,

    /// <summary>The node cannot take this with the chosen engine (cluster mode, older RDB version, module type…).</summary>
    Incompatible,

    /// <summary>Reading the RDB from the store failed, whatever the node did.</summary>
    FileUnreadable,

    /// <summary>The nodes answer, but what they say does not make a usable deployment (no master, slots uncovered…).</summary>
    Inconsistent,
}

/// <summary>
/// The one exception of the Redis layer. Messages are built by <see cref="RedisErrors"/> where they are shared, name
/// host:port and the server's reply, and never carry a password, a server path or another exception's text.
/// </summary>
public sealed class RedisFailureException : Exception
{
    public RedisFailureException()
        : this(RedisFailureKind.ProtocolViolation, "Redis failure")
    {
    }

    public RedisFailureException(string message)
        : this(RedisFailureKind.ProtocolViolation, message)
    {
    }

    public RedisFailureException(string message, Exception innerException)
        : this(RedisFailureKind.ProtocolViolation, message, innerException)
    {
    }

    public RedisFailureException(RedisFailureKind kind, string message)
        : base(message)
    {
        Kind = kind;
    }

    public RedisFailureException(RedisFailureKind kind, string message, Exception innerException)
        : base(message, innerException)
    {
        Kind = kind;
    }

    public RedisFailureKind Kind { get; }
}

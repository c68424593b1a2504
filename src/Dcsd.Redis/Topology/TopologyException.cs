namespace Dcsd.Redis.Topology;

/// <summary>Why the topology could not be discovered or set up.</summary>
public enum TopologyFailure
{
    /// <summary>No seed (or a node the topology points to) accepted a connection in time.</summary>
    Unreachable,

    /// <summary>A node rejected the password (or wants one and none was given).</summary>
    AuthenticationFailed,

    /// <summary>The nodes answered, but what they say does not make a usable deployment (no master, slots uncovered, replication loop…).</summary>
    Inconsistent,

    /// <summary>A node answered a command with an error.</summary>
    CommandFailed,

    /// <summary>A local cluster did not reach the expected state in time.</summary>
    Timeout,
}

/// <summary>A failed discovery or cluster set-up. Messages name host:port, never the password.</summary>
public sealed class TopologyException : Exception
{
    public TopologyException(TopologyFailure reason, string message)
        : base(message)
    {
        Reason = reason;
    }

    public TopologyException(TopologyFailure reason, string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = reason;
    }

    public TopologyFailure Reason { get; }
}

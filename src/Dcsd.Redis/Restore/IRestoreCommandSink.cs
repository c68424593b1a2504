using Dcsd.Redis.Protocol;

namespace Dcsd.Redis.Restore;

/// <summary>What a command is, for error messages and reply accounting.</summary>
/// <param name="Verb">The command name as shown in errors (RESTORE, RPUSH, SELECT, …).</param>
/// <param name="Key">The key it writes (null for SELECT/FLUSHALL/FUNCTION), named in error messages.</param>
/// <param name="Db">The database it runs in.</param>
/// <param name="Keys">Keys the command completes (a RESTORE 1, an MSET its pairs, a native batch 0 until its RENAME).</param>
internal readonly record struct RestoreCommandInfo(string Verb, byte[]? Key, int Db, int Keys = 0);

/// <summary>
/// Where <see cref="RdbRestoreWriter"/> puts its commands. The writer encodes one command into the buffer returned by
/// <see cref="Begin"/>, then calls <see cref="Commit"/>. A single-node sink has one buffer; a cluster sink can pick
/// the buffer of the node owning <c>routingKey</c>'s slot (null routing key: a command for every node, e.g. FLUSHALL).
/// Calls block: the writer runs on a thread of its own, reading the file synchronously.
/// </summary>
internal interface IRestoreCommandSink
{
    RespWriter Begin(byte[]? routingKey);

    /// <summary>Keys that one multi-key command (MSET) may hold together share a group: all keys on one node, a slot in a cluster.</summary>
    int GroupOf(byte[] key);

    /// <summary>Registers the command just encoded; may send and wait for the in-flight window. Throws the first error the target returned.</summary>
    void Commit(RestoreCommandInfo command);

    /// <summary>Sends what is buffered and waits for every reply.</summary>
    void Complete();
}

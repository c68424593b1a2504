using System.Globalization;
using System.Text;
using Dcsd.Redis.Protocol;

namespace Dcsd.Redis.Replication;

/// <summary>What the master announced right before the RDB bytes.</summary>
internal sealed record PayloadHeader(SnapshotTransferMode Mode, long Length, byte[]? EofMarker, string? ReplicationId, long? ReplicationOffset);

/// <summary>
/// AUTH, REPLCONF capa eof, REPLCONF rdb-only 1, PSYNC ? -1 (SYNC as fallback), up to the bulk header.
/// </summary>
internal static class ReplicationHandshake
{
    public const int EofMarkerLength = 40;

    public static PayloadHeader Run(ReplicationConnection connection, SnapshotSource source)
    {
        if (source.Password is not null)
        {
            Authenticate(connection, source.User, source.Password);
        }

        // Without capa eof the master must BGSAVE to disk first; announcing it lets a diskless master stream.
        // Servers before 6.0 (for redis-cli's purposes) answer -ERR; they simply send the counted form.
        SendOptionalReplconf(connection, "capa", "eof");

        // rdb-only (6.2+) keeps the master from feeding us the replication buffer after the RDB, so writes made
        // during a long transfer cannot grow our output buffer to the client-output-buffer-limit and get us killed.
        SendOptionalReplconf(connection, "rdb-only", "1");

        // PSYNC ? -1 rather than SYNC: both force a full resync, but only PSYNC answers +FULLRESYNC <replid> <offset>,
        // which pins the snapshot to a point in the replication history (the service compares it with the standby's
        // offset and records it in the catalog). A snapshot client closes right after the RDB, so PSYNC's one
        // obligation (REPLCONF ACK once online) never applies. SYNC is kept as a fallback for servers or proxies
        // that reject PSYNC as an unknown command; any other error (e.g. -NOMASTERLINK) is final.
        connection.SendCommand(["PSYNC", "?", "-1"]);
        string reply = connection.ReadLine(skipKeepAlives: true);
        string? replicationId = null;
        long? replicationOffset = null;
        if (reply.StartsWith("-ERR unknown command", StringComparison.OrdinalIgnoreCase))
        {
            connection.SendCommand(["SYNC"]);
            reply = connection.ReadLine(skipKeepAlives: true);
        }
        else if (reply.StartsWith("+FULLRESYNC", StringComparison.Ordinal))
        {
            (replicationId, replicationOffset) = ParseFullResync(connection, reply);
            reply = connection.ReadLine(skipKeepAlives: true);
        }

        if (reply.StartsWith('-'))
        {
            throw new RedisFailureException(RedisFailureKind.Refused, $"{connection.EndPoint} refused the sync: {reply[1..]}");
        }

        return ParseBulkHeader(connection, reply) with { ReplicationId = replicationId, ReplicationOffset = replicationOffset };
    }

    private static void Authenticate(ReplicationConnection connection, string? user, string password)
    {
        connection.SendCommand(user is null ? ["AUTH", password] : ["AUTH", user, password]);
        string reply = connection.ReadLine(skipKeepAlives: false);
        if (reply.StartsWith('-'))
        {
            // The server's text never echoes the password, so it is safe to pass on.
            throw new RedisFailureException(RedisFailureKind.AuthenticationFailed, $"{connection.EndPoint} rejected AUTH: {reply[1..]}");
        }

        ExpectOk(connection, reply, "AUTH");
    }

    private static void SendOptionalReplconf(ReplicationConnection connection, string option, string value)
    {
        connection.SendCommand(["REPLCONF", option, value]);
        string reply = connection.ReadLine(skipKeepAlives: false);
        if (reply.StartsWith("-ERR", StringComparison.Ordinal))
        {
            return; // An older server that does not know this option; the flow still works without it.
        }

        if (reply.StartsWith('-'))
        {
            throw new RedisFailureException(RedisFailureKind.Refused, $"{connection.EndPoint} refused REPLCONF {option}: {reply[1..]}");
        }

        ExpectOk(connection, reply, "REPLCONF " + option);
    }

    private static void ExpectOk(ReplicationConnection connection, string reply, string command)
    {
        if (reply != "+OK")
        {
            throw new RedisFailureException(RedisFailureKind.ProtocolViolation, $"{connection.EndPoint} answered {command} with '{Truncate(reply)}' instead of +OK");
        }
    }

    private static (string ReplicationId, long Offset) ParseFullResync(ReplicationConnection connection, string reply)
    {
        string[] parts = reply.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 3 || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out long offset))
        {
            throw new RedisFailureException(RedisFailureKind.ProtocolViolation, $"{connection.EndPoint} sent a malformed '{Truncate(reply)}'");
        }

        return (parts[1], offset);
    }

    private static PayloadHeader ParseBulkHeader(ReplicationConnection connection, string line)
    {
        if (line.StartsWith("$EOF:", StringComparison.Ordinal))
        {
            string marker = line["$EOF:".Length..];
            if (marker.Length != EofMarkerLength)
            {
                throw new RedisFailureException(RedisFailureKind.ProtocolViolation, $"{connection.EndPoint} sent an end-of-transfer marker of {marker.Length} bytes instead of {EofMarkerLength}");
            }

            return new PayloadHeader(SnapshotTransferMode.Diskless, -1, Encoding.ASCII.GetBytes(marker), null, null);
        }

        if (line.StartsWith('$') && long.TryParse(line.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out long length))
        {
            return new PayloadHeader(SnapshotTransferMode.Counted, length, null, null, null);
        }

        throw new RedisFailureException(RedisFailureKind.ProtocolViolation, $"{connection.EndPoint} sent '{Truncate(line)}' where the RDB bulk header was expected");
    }

    private static string Truncate(string text) => text.Length <= 80 ? text : text[..80] + "...";
}

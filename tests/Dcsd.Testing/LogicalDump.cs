using System.Globalization;
using System.Text;
using StackExchange.Redis;

namespace Dcsd.Testing;

/// <summary>
/// A canonical text form of every key in every database of a server (type, content, absolute expiry), so two
/// servers can be compared for logical equality: GET, LRANGE, SMEMBERS, ZRANGE WITHSCORES, HGETALL, XRANGE + groups, PEXPIRETIME.
/// </summary>
public static class LogicalDump
{
    public static async Task<SortedDictionary<string, string>> TakeAsync(ConnectionMultiplexer connection, string endPoint)
    {
        var server = connection.GetServer(endPoint);
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        int databases = server.DatabaseCount;
        for (int dbIndex = 0; dbIndex < databases; dbIndex++)
        {
            var db = connection.GetDatabase(dbIndex);
            await foreach (var key in server.KeysAsync(dbIndex, pageSize: 1000))
            {
                result[$"{dbIndex}/{key}"] = await DescribeAsync(db, key);
            }
        }

        return result;
    }

    public static async Task<string> DescribeAsync(IDatabase db, RedisKey key)
    {
        var type = await db.KeyTypeAsync(key);
        var text = new StringBuilder(type.ToString()).Append(':');
        switch (type)
        {
            case RedisType.String:
                text.Append(Hex(await db.StringGetAsync(key)));
                break;
            case RedisType.List:
                foreach (var item in await db.ListRangeAsync(key))
                {
                    text.Append(Hex(item)).Append(',');
                }

                break;
            case RedisType.Set:
                foreach (var member in (await db.SetMembersAsync(key)).Select(Hex).Order(StringComparer.Ordinal))
                {
                    text.Append(member).Append(',');
                }

                break;
            case RedisType.SortedSet:
                foreach (var entry in await db.SortedSetRangeByRankWithScoresAsync(key))
                {
                    text.Append(Hex(entry.Element)).Append('=').Append(entry.Score.ToString("R", CultureInfo.InvariantCulture)).Append(',');
                }

                break;
            case RedisType.Hash:
                foreach (var entry in (await db.HashGetAllAsync(key)).OrderBy(e => Hex(e.Name), StringComparer.Ordinal))
                {
                    text.Append(Hex(entry.Name)).Append('=').Append(Hex(entry.Value)).Append(',');
                }

                break;
            case RedisType.Stream:
                foreach (var entry in await db.StreamRangeAsync(key))
                {
                    text.Append(entry.Id).Append('{');
                    foreach (var field in entry.Values)
                    {
                        text.Append(Hex(field.Name)).Append('=').Append(Hex(field.Value)).Append(',');
                    }

                    text.Append('}');
                }

                foreach (var group in await db.StreamGroupInfoAsync(key))
                {
                    text.Append(" group ").Append(group.Name).Append(" last=").Append(group.LastDeliveredId).Append(" pending=").Append(group.PendingMessageCount);
                    foreach (var consumer in await db.StreamConsumerInfoAsync(key, group.Name))
                    {
                        text.Append(" consumer ").Append(consumer.Name).Append(" pending=").Append(consumer.PendingMessageCount);
                    }
                }

                break;
        }

        // PEXPIRETIME (Redis 7.0+) is the absolute expiry in unix ms: exact across a backup and restore, and independent of
        // when the two dumps are taken (a relative TTL would drift between them).
        long expireAt = (long)await db.ExecuteAsync("PEXPIRETIME", key);
        if (expireAt >= 0)
        {
            text.Append(" expires-at=").Append(expireAt.ToString(CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    private static string Hex(RedisValue value) => value.IsNull ? "(nil)" : Convert.ToHexString((byte[])value!);
}

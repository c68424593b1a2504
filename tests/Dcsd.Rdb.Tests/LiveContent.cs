using System.Globalization;
using System.Text;
using StackExchange.Redis;

namespace Dcsd.Rdb.Tests;

/// <summary>A canonical description of a key's logical content as a server reports it, to compare two servers.</summary>
internal static class LiveContent
{
    public static async Task<string> DescribeAsync(IDatabase db, byte[] key, bool withTtl = true)
    {
        var text = new StringBuilder();
        string type = (string)(await db.ExecuteAsync("TYPE", key))!;
        text.Append(type).Append('\n');
        if (withTtl)
        {
            text.Append("expire=").Append((long)await db.ExecuteAsync("PEXPIRETIME", key)).Append('\n');
        }

        switch (type)
        {
            case "string":
                text.Append(Convert.ToBase64String((byte[])(await db.StringGetAsync(key))!));
                break;
            case "list":
                foreach (RedisValue item in await db.ListRangeAsync(key))
                {
                    text.Append(Convert.ToBase64String((byte[])item!)).Append(',');
                }

                break;
            case "set":
                foreach (string member in (await db.SetMembersAsync(key)).Select(m => Convert.ToBase64String((byte[])m!)).Order(StringComparer.Ordinal))
                {
                    text.Append(member).Append(',');
                }

                break;
            case "zset":
                foreach (SortedSetEntry entry in await db.SortedSetRangeByRankWithScoresAsync(key))
                {
                    text.Append((string?)entry.Element).Append('=').Append(entry.Score.ToString("R", CultureInfo.InvariantCulture)).Append(',');
                }

                break;
            case "hash":
                foreach (string pair in (await db.HashGetAllAsync(key)).Select(e => $"{e.Name}={e.Value}").Order(StringComparer.Ordinal))
                {
                    text.Append(pair).Append(',');
                }

                break;
            case "stream":
                foreach (StreamEntry entry in await db.StreamRangeAsync(key))
                {
                    text.Append(entry.Id).Append(':').AppendJoin(' ', entry.Values.Select(v => $"{v.Name}={v.Value}")).Append('\n');
                }

                text.Append(Flatten(await db.ExecuteAsync("XINFO", "STREAM", key), skip: ["radix-tree-keys", "radix-tree-nodes", "first-entry", "last-entry"])).Append('\n');
                foreach (RedisResult group in (RedisResult[])(await db.ExecuteAsync("XINFO", "GROUPS", key))!)
                {
                    text.Append(Flatten(group, skip: [])).Append('\n');
                    string name = GroupName(group);
                    foreach (RedisResult consumer in (RedisResult[])(await db.ExecuteAsync("XINFO", "CONSUMERS", key, name))!)
                    {
                        text.Append(Flatten(consumer, skip: ["idle", "seen-time", "active-time", "inactive"])).Append('\n');
                    }

                    foreach (RedisResult pending in (RedisResult[])(await db.ExecuteAsync("XPENDING", key, name, "-", "+", 1000))!)
                    {
                        RedisResult[] fields = (RedisResult[])pending!;
                        text.Append("pel ").Append((string?)fields[0]).Append(' ').Append((string?)fields[1]).Append(' ').Append((long)fields[3]).Append('\n');
                    }
                }

                break;
            default:
                text.Append("none");
                break;
        }

        return text.ToString();
    }

    private static string GroupName(RedisResult group)
    {
        RedisResult[] items = (RedisResult[])group!;
        for (int i = 0; i < items.Length; i += 2)
        {
            if ((string?)items[i] == "name")
            {
                return (string)items[i + 1]!;
            }
        }

        throw new InvalidOperationException("group without name");
    }

    private static string Flatten(RedisResult result, string[] skip)
    {
        RedisResult[] items = (RedisResult[])result!;
        var parts = new List<string>();
        for (int i = 0; i + 1 < items.Length; i += 2)
        {
            string name = (string)items[i]!;
            if (!skip.Contains(name))
            {
                parts.Add(name + "=" + (items[i + 1].Resp2Type == ResultType.Array ? "[..]" : (string?)items[i + 1]));
            }
        }

        return string.Join(" ", parts);
    }
}

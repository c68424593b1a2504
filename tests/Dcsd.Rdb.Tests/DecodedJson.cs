using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Dcsd.Rdb.Tests;

/// <summary>
/// Renders decoded keys in the JSON shape of HDT3213/rdb's expected outputs, and brings both sides to one
/// canonical text (order-free collections sorted, cosmetic fields dropped) so they can be compared exactly.
/// </summary>
internal static class DecodedJson
{
    public static List<JsonObject> ReadAll(string path)
    {
        using FileStream file = File.OpenRead(path);
        using var reader = new RdbReader(file, new RdbReaderOptions { ChunkMaxItems = 7 });
        var keys = new List<JsonObject>();
        while (reader.Read() is { } entry)
        {
            keys.Add(ToJson(entry));
        }

        return keys;
    }

    public static JsonObject ToJson(RdbEntry entry)
    {
        var json = new JsonObject
        {
            ["db"] = entry.Db,
            ["key"] = Text(entry.Key),
            ["type"] = RdbObjectTypes.KindName(entry.Kind),
        };
        if (entry.ExpiresAtMs is long expire)
        {
            json["expiration"] = expire;
        }

        var values = new JsonArray();
        var hash = new JsonObject();
        var expires = new JsonObject();
        var streamMessages = new JsonArray();
        var groups = new JsonArray();
        var value = new MemoryStream();
        foreach (RdbValueChunk chunk in entry.ReadChunks())
        {
            switch (chunk)
            {
                case RdbStringChunk s:
                    Assert.Equal(value.Length, s.Offset);
                    value.Write(s.Data.Span);
                    break;
                case RdbListChunk l:
                    l.Items.ToList().ForEach(i => values.Add(Text(i)));
                    break;
                case RdbSetChunk s:
                    s.Members.ToList().ForEach(i => values.Add(Text(i)));
                    break;
                case RdbSortedSetChunk z:
                    z.Members.ToList().ForEach(m => values.Add(new JsonObject { ["member"] = Text(m.Member), ["score"] = m.Score }));
                    break;
                case RdbHashChunk h:
                    foreach (RdbHashField f in h.Fields)
                    {
                        hash[Text(f.Field)] = Text(f.Value);
                        expires[Text(f.Field)] = f.ExpiresAtMs ?? 0;
                    }

                    break;
                case RdbStreamEntriesChunk e:
                    foreach (RdbStreamEntry m in e.Entries)
                    {
                        var fields = new JsonObject();
                        for (int i = 0; i < m.Fields.Count; i++)
                        {
                            fields[Text(m.Fields[i])] = Text(m.Values[i]);
                        }

                        streamMessages.Add(new JsonObject { ["id"] = m.Id.ToString(), ["fields"] = fields, ["deleted"] = false });
                    }

                    break;
                case RdbStreamMetadataChunk meta:
                    json["len"] = meta.Metadata.Length;
                    json["lastId"] = meta.Metadata.LastId.ToString();
                    if (meta.Metadata.FirstId is { } first)
                    {
                        json["firstId"] = first.ToString();
                        json["maxDeletedId"] = meta.Metadata.MaxDeletedId!.Value.ToString();
                        json["addedEntriesCount"] = meta.Metadata.EntriesAdded;
                    }

                    break;
                case RdbStreamGroupChunk g:
                {
                    var group = new JsonObject
                    {
                        ["name"] = Text(g.Group.Name),
                        ["lastId"] = g.Group.LastDeliveredId.ToString(),
                        ["pending"] = new JsonArray([.. g.Group.Pending.Select(p => (JsonNode)new JsonObject { ["id"] = p.Id.ToString(), ["deliveryTime"] = p.DeliveryTimeMs, ["deliveryCount"] = p.DeliveryCount })]),
                        ["consumers"] = new JsonArray([.. g.Group.Consumers.Select(c =>
                        {
                            var consumer = new JsonObject
                            {
                                ["name"] = Text(c.Name),
                                ["seenTime"] = c.SeenTimeMs,
                                ["pending"] = new JsonArray([.. c.Pending.Select(id => (JsonNode)id.ToString())]),
                            };
                            // Before RDB 11 the active time is not stored; Redis then takes the seen time (rdb.c), as HDT3213 does.
                            consumer["activeTime"] = c.ActiveTimeMs ?? c.SeenTimeMs;

                            return (JsonNode)consumer;
                        })]),
                    };
                    if (g.Group.EntriesRead is long read)
                    {
                        group["entriesRead"] = read;
                    }

                    groups.Add(group);
                    break;
                }

                case RdbModuleChunk m:
                    json["module"] = m.ModuleName;
                    break;
                default:
                    throw new InvalidOperationException(chunk.GetType().Name);
            }
        }

        switch (entry.Kind)
        {
            case RdbKind.String:
                json["value"] = Text(value.ToArray());
                break;
            case RdbKind.List:
                json["values"] = values;
                break;
            case RdbKind.Set:
                json["members"] = values;
                break;
            case RdbKind.SortedSet:
                json["entries"] = values;
                break;
            case RdbKind.Hash:
                json["hash"] = hash;
                json["expire"] = expires;
                break;
            case RdbKind.Stream:
                json["entries"] = new JsonArray(new JsonObject { ["msgs"] = streamMessages });
                json["groups"] = groups;
                break;
            default:
                break;
        }

        return json;
    }

    public static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    /// <summary>One canonical line per key: what both sides must agree on.</summary>
    public static string Canonical(JsonObject key)
    {
        var parts = new List<string>
        {
            $"db={key["db"]}",
            $"key={key["key"]}",
            $"type={key["type"]}",
        };
        if (key["expiration"] is JsonNode expiration)
        {
            long ms = expiration.GetValueKind() == System.Text.Json.JsonValueKind.String
                ? DateTimeOffset.Parse(expiration.GetValue<string>(), CultureInfo.InvariantCulture).ToUnixTimeMilliseconds()
                : expiration.GetValue<long>();
            parts.Add($"expiration={ms}");
        }

        switch ((string?)key["type"])
        {
            case "string":
                parts.Add("value=" + (string?)key["value"]);
                break;
            case "list":
                parts.Add("values=" + string.Join("|", key["values"]!.AsArray().Select(v => (string?)v)));
                break;
            case "set":
                parts.Add("members=" + string.Join("|", key["members"]!.AsArray().Select(v => (string?)v).Order(StringComparer.Ordinal)));
                break;
            case "zset":
                parts.Add("entries=" + string.Join("|", key["entries"]!.AsArray()
                    .Select(e => $"{(string?)e!["member"]}={Score(e["score"]!)}").Order(StringComparer.Ordinal)));
                break;
            case "hash":
                parts.Add("hash=" + string.Join("|", key["hash"]!.AsObject().Select(p => $"{p.Key}={(string?)p.Value}").Order(StringComparer.Ordinal)));
                if (key["expire"] is JsonObject expire)
                {
                    parts.Add("expire=" + string.Join("|", expire.Where(p => p.Value!.GetValue<long>() != 0).Select(p => $"{p.Key}={p.Value}").Order(StringComparer.Ordinal)));
                }
                else
                {
                    parts.Add("expire=");
                }

                break;
            case "stream":
                parts.Add("entries=" + string.Join("|", key["entries"]!.AsArray()
                    .SelectMany(node => node!["msgs"]!.AsArray())
                    .Where(m => m!["deleted"]?.GetValue<bool>() != true)
                    .Select(m => m!["id"] + " " + string.Join(",", m["fields"]!.AsObject().Select(f => $"{f.Key}={(string?)f.Value}")))));
                foreach (string field in new[] { "len", "lastId", "firstId", "maxDeletedId", "addedEntriesCount" })
                {
                    if (key[field] is JsonNode node)
                    {
                        parts.Add($"{field}={node.ToJsonString()}");
                    }
                }

                parts.Add("groups=" + (key["groups"] is JsonArray groups ? string.Join("|", groups.Select(g => Prune(g!.DeepClone()).ToJsonString())) : string.Empty));
                break;
            default:
                break;
        }

        return string.Join("; ", parts);
    }

    /// <summary>Drops empty arrays: the expected outputs omit empty PEL lists ("omitempty").</summary>
    private static JsonNode Prune(JsonNode node)
    {
        if (node is JsonObject obj)
        {
            foreach (string name in obj.Where(p => p.Value is JsonArray { Count: 0 }).Select(p => p.Key).ToList())
            {
                obj.Remove(name);
            }

            foreach (JsonNode? child in obj.Select(p => p.Value).ToList())
            {
                if (child is not null)
                {
                    Prune(child);
                }
            }
        }
        else if (node is JsonArray array)
        {
            foreach (JsonNode? child in array)
            {
                if (child is not null)
                {
                    Prune(child);
                }
            }
        }

        return node;
    }

    private static string Score(JsonNode score) => score.GetValueKind() == System.Text.Json.JsonValueKind.String
        ? score.GetValue<string>()
        : score.GetValue<double>().ToString("R", CultureInfo.InvariantCulture);
}

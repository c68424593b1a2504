using System.Globalization;
using System.Text;

namespace Dcsd.Rdb;

public sealed class RdbRenderOptions
{
    /// <summary>Upper bound on the arguments of one command (the command name and key included).</summary>
    public int MaxArguments { get; init; } = 1024;

    /// <summary>Upper bound on the payload bytes of one command (a single bigger element still goes alone).</summary>
    public long MaxBytes { get; init; } = 8L << 20;
}

/// <summary>
/// Turns a decoded value into native commands (SET/APPEND, RPUSH, SADD, ZADD, HSET/HPEXPIREAT, XADD/XSETID/XGROUP/XCLAIM)
/// in bounded batches, for values too big for one RESTORE. Commands are yielded as the chunks stream in.
/// The key must not exist beforehand; expiry is the caller's (PEXPIREAT after the last command).
/// </summary>
public static class RdbCommandRenderer
{
    public static IEnumerable<IReadOnlyList<byte[]>> Render(byte[] key, IEnumerable<RdbValueChunk> chunks, RdbRenderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(chunks);
        options ??= new RdbRenderOptions();
        return RenderIterator(key, chunks, options);
    }

    private static IEnumerable<IReadOnlyList<byte[]>> RenderIterator(byte[] key, IEnumerable<RdbValueChunk> chunks, RdbRenderOptions options)
    {
        bool streamHasEntries = false;
        foreach (RdbValueChunk chunk in chunks)
        {
            switch (chunk)
            {
                case RdbStringChunk s:
                    yield return [Ascii(s.Offset == 0 ? "SET" : "APPEND"), key, s.Data.ToArray()];
                    break;
                case RdbListChunk l:
                    foreach (IReadOnlyList<byte[]> command in Batches("RPUSH", key, l.Items.Select(i => new[] { i }), options))
                    {
                        yield return command;
                    }

                    break;
                case RdbSetChunk s:
                    foreach (IReadOnlyList<byte[]> command in Batches("SADD", key, s.Members.Select(m => new[] { m }), options))
                    {
                        yield return command;
                    }

                    break;
                case RdbSortedSetChunk z:
                    foreach (IReadOnlyList<byte[]> command in Batches("ZADD", key, z.Members.Select(m => new[] { Score(m.Score), m.Member }), options))
                    {
                        yield return command;
                    }

                    break;
                case RdbHashChunk h:
                    foreach (IReadOnlyList<byte[]> command in Batches("HSET", key, h.Fields.Select(f => new[] { f.Field, f.Value }), options))
                    {
                        yield return command;
                    }

                    foreach (IGrouping<long, RdbHashField> sameTime in h.Fields.Where(f => f.ExpiresAtMs is not null).GroupBy(f => f.ExpiresAtMs!.Value))
                    {
                        foreach (byte[][] fields in sameTime.Select(f => f.Field).Chunk(Math.Max(1, options.MaxArguments - 5)))
                        {
                            yield return [Ascii("HPEXPIREAT"), key, Number(sameTime.Key), Ascii("FIELDS"), Number(fields.Length), .. fields];
                        }
                    }

                    break;
                case RdbStreamEntriesChunk e:
                    foreach (RdbStreamEntry entry in e.Entries)
                    {
                        var command = new List<byte[]>(3 + (2 * entry.Fields.Count)) { Ascii("XADD"), key, Ascii(entry.Id.ToString()) };
                        for (int i = 0; i < entry.Fields.Count; i++)
                        {
                            command.Add(entry.Fields[i]);
                            command.Add(entry.Values[i]);
                        }

                        streamHasEntries = true;
                        yield return command;
                    }

                    break;
                case RdbStreamMetadataChunk m:
                    if (!streamHasEntries)
                    {
                        // An empty stream still exists: create it through a throw-away group.
                        yield return [Ascii("XGROUP"), Ascii("CREATE"), key, Ascii("dcsd-tmp"), Ascii("0"), Ascii("MKSTREAM")];
                        yield return [Ascii("XGROUP"), Ascii("DESTROY"), key, Ascii("dcsd-tmp")];
                    }

                    yield return XSetId(key, m.Metadata);
                    break;
                case RdbStreamGroupChunk g:
                    foreach (IReadOnlyList<byte[]> command in Group(key, g.Group))
                    {
                        yield return command;
                    }

                    break;
                case RdbModuleChunk module:
                    throw new NotSupportedException($"module value ({module.ModuleName}) can only be restored from its DUMP payload");
                default:
                    throw new NotSupportedException(chunk.GetType().Name);
            }
        }

    }

    private static List<byte[]> XSetId(byte[] key, RdbStreamMetadata metadata)
    {
        var command = new List<byte[]> { Ascii("XSETID"), key, Ascii(metadata.LastId.ToString()) };
        if (metadata.EntriesAdded is ulong added)
        {
            command.Add(Ascii("ENTRIESADDED"));
            command.Add(Ascii(added.ToString(CultureInfo.InvariantCulture)));
            command.Add(Ascii("MAXDELETEDID"));
            command.Add(Ascii(metadata.MaxDeletedId!.Value.ToString()));
        }

        return command;
    }

    private static IEnumerable<IReadOnlyList<byte[]>> Group(byte[] key, RdbStreamGroup group)
    {
        var create = new List<byte[]> { Ascii("XGROUP"), Ascii("CREATE"), key, group.Name, Ascii(group.LastDeliveredId.ToString()) };
        if (group.EntriesRead is long read && read >= 0)
        {
            create.Add(Ascii("ENTRIESREAD"));
            create.Add(Number(read));
        }

        yield return create;
        var pending = new Dictionary<RdbStreamId, RdbPendingEntry>();
        foreach (RdbPendingEntry entry in group.Pending)
        {
            pending[entry.Id] = entry;
        }

        foreach (RdbStreamConsumer consumer in group.Consumers)
        {
            yield return [Ascii("XGROUP"), Ascii("CREATECONSUMER"), key, group.Name, consumer.Name];
            foreach (RdbStreamId id in consumer.Pending)
            {
                // FORCE puts the id in the PEL; TIME and RETRYCOUNT carry the delivery time and count over.
                pending.TryGetValue(id, out RdbPendingEntry info);
                yield return
                [
                    Ascii("XCLAIM"), key, group.Name, consumer.Name, Ascii("0"), Ascii(id.ToString()),
                    Ascii("TIME"), Number(info.DeliveryTimeMs), Ascii("RETRYCOUNT"), Ascii(info.DeliveryCount.ToString(CultureInfo.InvariantCulture)),
                    Ascii("FORCE"), Ascii("JUSTID"),
                ];
            }
        }
    }

    private static IEnumerable<IReadOnlyList<byte[]>> Batches(string name, byte[] key, IEnumerable<byte[][]> tuples, RdbRenderOptions options)
    {
        List<byte[]>? command = null;
        long bytes = 0;
        foreach (byte[][] tuple in tuples)
        {
            long tupleBytes = tuple.Sum(t => (long)t.Length);
            if (command is not null && (command.Count + tuple.Length > options.MaxArguments || bytes + tupleBytes > options.MaxBytes))
            {
                yield return command;
                command = null;
            }

            if (command is null)
            {
                command = [Ascii(name), key];
                bytes = 0;
            }

            command.AddRange(tuple);
            bytes += tupleBytes;
        }

        if (command is not null)
        {
            yield return command;
        }
    }

    /// <summary>PEXPIREAT for the key's absolute expiry, to send after the value.</summary>
    public static IReadOnlyList<byte[]> ExpireAt(byte[] key, long expiresAtMs) => [Ascii("PEXPIREAT"), key, Number(expiresAtMs)];

    private static byte[] Score(double score) =>
        double.IsPositiveInfinity(score) ? Ascii("+inf")
        : double.IsNegativeInfinity(score) ? Ascii("-inf")
        : Ascii(score.ToString("R", CultureInfo.InvariantCulture));

    private static byte[] Number(long value) => Ascii(value.ToString(CultureInfo.InvariantCulture));

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);
}

using Dcsd.Rdb.Encodings;
using Dcsd.Rdb.Primitives;

namespace Dcsd.Rdb.Reading;

/// <summary>Decoding: the current value as a lazy sequence of bounded chunks.</summary>
internal sealed partial class RdbParser
{
    /// <summary>Batches decoded items into chunks bounded by item count and by bytes.</summary>
    private sealed class Batch<T>
    {
        private readonly int _maxItems;
        private readonly long _maxBytes;
        private List<T> _items = [];
        private long _bytes;

        public Batch(int maxItems, long maxBytes)
        {
            _maxItems = Math.Max(1, maxItems);
            _maxBytes = Math.Max(1, maxBytes);
        }

        public bool Add(T item, long bytes)
        {
            _items.Add(item);
            _bytes += bytes;
            return _items.Count >= _maxItems || _bytes >= _maxBytes;
        }

        public bool HasItems => _items.Count > 0;

        public List<T> Take()
        {
            List<T> items = _items;
            _items = [];
            _bytes = 0;
            return items;
        }
    }

    private byte[] ReadElement(string what) => RdbString.ReadArray(Input, Scratch, LzfScratch, Settings.MaxInMemoryBytes, what);

    /// <summary>Decodes the current value lazily; each chunk holds at most about <paramref name="maxItems"/> items or <paramref name="maxBytes"/> bytes.</summary>
    public IEnumerable<RdbValueChunk> DecodeValue(int maxItems, int maxBytes)
    {
        switch (Type)
        {
            case RdbObjectType.String:
                return DecodeString(maxBytes);
            case RdbObjectType.List:
            case RdbObjectType.Set:
                return DecodeElements(Type == RdbObjectType.List, maxItems, maxBytes);
            case RdbObjectType.SortedSet:
            case RdbObjectType.SortedSet2:
                return DecodeSortedSet(maxItems, maxBytes);
            case RdbObjectType.Hash:
            case RdbObjectType.HashMetadataPreGa:
            case RdbObjectType.HashMetadata:
                return DecodeHash(maxItems, maxBytes);
            case RdbObjectType.Module2:
                return DecodeModule();
            case RdbObjectType.ListQuicklist:
            case RdbObjectType.ListQuicklist2:
                return DecodeQuicklist(maxItems, maxBytes);
            case RdbObjectType.StreamListpacks:
            case RdbObjectType.StreamListpacks2:
            case RdbObjectType.StreamListpacks3:
                return DecodeStream(maxItems, maxBytes);
            default:
                return DecodeBlobValue(maxItems, maxBytes);
        }
    }

    private IEnumerable<RdbValueChunk> DecodeString(int maxBytes)
    {
        long start = Input.Offset;
        RdbStringHeader header = RdbString.ReadHeader(Input);
        if (header.Length <= maxBytes || header.Kind == RdbStringKind.Integer)
        {
            byte[] whole = RdbString.Read(Input, header, start, Scratch, LzfScratch, Settings.MaxInMemoryBytes, "string value").ToArray();
            yield return new RdbStringChunk(whole, 0, whole.Length);
            yield break;
        }

        // Big strings stream in maxBytes pieces: raw bytes straight from the input buffer, LZF through an 8 KB window.
        long offset = 0;
        var piece = new byte[maxBytes];
        int filled = 0;
        IEnumerable<ReadOnlyMemory<byte>> source = header.Kind == RdbStringKind.Raw
            ? RawPieces(header.Length)
            : new LzfStreamDecoder().Decode(Input, header.CompressedLength, header.Length);
        foreach (ReadOnlyMemory<byte> data in source)
        {
            ReadOnlyMemory<byte> rest = data;
            while (rest.Length > 0)
            {
                int take = Math.Min(rest.Length, piece.Length - filled);
                rest.Span[..take].CopyTo(piece.AsSpan(filled));
                filled += take;
                rest = rest[take..];
                if (filled == piece.Length)
                {
                    yield return new RdbStringChunk(piece, offset, header.Length);
                    offset += filled;
                    piece = new byte[maxBytes];
                    filled = 0;
                }
            }
        }

        if (filled > 0)
        {
            yield return new RdbStringChunk(piece.AsMemory(0, filled), offset, header.Length);
        }
    }

    private IEnumerable<ReadOnlyMemory<byte>> RawPieces(long length)
    {
        var copy = new byte[Math.Min(length, 1 << 16)];
        while (length > 0)
        {
            int take = (int)Math.Min(copy.Length, length);
            Input.ReadExactly(copy.AsSpan(0, take));
            length -= take;
            yield return copy.AsMemory(0, take);
        }
    }

    private IEnumerable<RdbValueChunk> DecodeElements(bool isList, int maxItems, int maxBytes)
    {
        long n = Input.ReadCount("element");
        var batch = new Batch<byte[]>(maxItems, maxBytes);
        for (long i = 0; i < n; i++)
        {
            byte[] item = ReadElement(isList ? "list element" : "set member");
            if (batch.Add(item, item.Length))
            {
                yield return isList ? new RdbListChunk(batch.Take()) : new RdbSetChunk(batch.Take());
            }
        }

        if (batch.HasItems)
        {
            yield return isList ? new RdbListChunk(batch.Take()) : new RdbSetChunk(batch.Take());
        }
    }

    private IEnumerable<RdbValueChunk> DecodeSortedSet(int maxItems, int maxBytes)
    {
        long n = Input.ReadCount("member");
        var batch = new Batch<RdbScoredMember>(maxItems, maxBytes);
        for (long i = 0; i < n; i++)
        {
            byte[] member = ReadElement("sorted set member");
            double score = Type == RdbObjectType.SortedSet2 ? Input.ReadDoubleLittleEndian() : ReadStringDouble(Input);
            if (batch.Add(new RdbScoredMember(member, score), member.Length + 8))
            {
                yield return new RdbSortedSetChunk(batch.Take());
            }
        }

        if (batch.HasItems)
        {
            yield return new RdbSortedSetChunk(batch.Take());
        }
    }

    private IEnumerable<RdbValueChunk> DecodeHash(int maxItems, int maxBytes)
    {
        long minExpire = Type == RdbObjectType.HashMetadata ? Input.ReadInt64LittleEndian() : 0;
        long n = Input.ReadCount("field");
        var batch = new Batch<RdbHashField>(maxItems, maxBytes);
        for (long i = 0; i < n; i++)
        {
            long? expiresAt = null;
            if (Type == RdbObjectType.HashMetadata || (Type == RdbObjectType.HashMetadataPreGa && !IsValkey))
            {
                ulong ttl = Input.ReadLength();
                if (ttl != 0)
                {
                    expiresAt = Type == RdbObjectType.HashMetadata ? (long)ttl + minExpire - 1 : (long)ttl;
                }
            }

            byte[] field = ReadElement("hash field");
            byte[] value = ReadElement("hash value");
            if (Type == RdbObjectType.HashMetadataPreGa && IsValkey)
            {
                long at = Input.ReadInt64LittleEndian();
                expiresAt = at == -1 ? null : at;
            }

            if (batch.Add(new RdbHashField(field, value, expiresAt), field.Length + value.Length))
            {
                yield return new RdbHashChunk(batch.Take());
            }
        }

        if (batch.HasItems)
        {
            yield return new RdbHashChunk(batch.Take());
        }
    }

    private IEnumerable<RdbValueChunk> DecodeModule()
    {
        ulong id = Input.ReadLength();
        string name = ModuleId.Name(id);
        ModuleTypeNames.Add(name);
        SkipModuleOpcodes();
        yield return new RdbModuleChunk(name, ModuleId.EncodingVersion(id));
    }

    private IEnumerable<RdbValueChunk> DecodeQuicklist(int maxItems, int maxBytes)
    {
        long nodes = Input.ReadCount("quicklist node");
        var batch = new Batch<byte[]>(maxItems, maxBytes);
        for (long i = 0; i < nodes; i++)
        {
            List<byte[]> items;
            if (Type == RdbObjectType.ListQuicklist2)
            {
                long at = Input.Offset;
                ulong container = Input.ReadLength();
                if (container == 1)
                {
                    items = [ReadElement("list element")];
                }
                else if (container == 2)
                {
                    items = ReadBlobItems(BlobLayout.Listpack);
                }
                else
                {
                    throw Input.Error($"unknown quicklist node container {container}", at);
                }
            }
            else
            {
                items = ReadBlobItems(BlobLayout.Ziplist);
            }

            foreach (byte[] item in items)
            {
                if (batch.Add(item, item.Length))
                {
                    yield return new RdbListChunk(batch.Take());
                }
            }
        }

        if (batch.HasItems)
        {
            yield return new RdbListChunk(batch.Take());
        }
    }

    private enum BlobLayout
    {
        Ziplist,
        Listpack,
        Intset,
        Zipmap,
    }

    /// <summary>Reads one encoded blob and returns its elements as arrays (integers in decimal form).</summary>
    private List<byte[]> ReadBlobItems(BlobLayout layout)
    {
        long start = Input.Offset;
        ReadOnlySpan<byte> blob = RdbString.Read(Input, Scratch, LzfScratch, Settings.MaxInMemoryBytes, "encoded blob");
        var items = new List<byte[]>();
        try
        {
            switch (layout)
            {
                case BlobLayout.Ziplist:
                {
                    var reader = new ZiplistReader(blob);
                    while (reader.TryRead(out PackedElement e))
                    {
                        items.Add(e.ToArray());
                    }

                    break;
                }

                case BlobLayout.Listpack:
                {
                    var reader = new ListpackReader(blob);
                    while (reader.TryRead(out PackedElement e))
                    {
                        items.Add(e.ToArray());
                    }

                    break;
                }

                case BlobLayout.Intset:
                {
                    var reader = new IntsetReader(blob);
                    while (reader.TryRead(out long value))
                    {
                        items.Add(new PackedElement(value).ToArray());
                    }

                    break;
                }

                default:
                {
                    var reader = new ZipmapReader(blob);
                    while (reader.TryRead(out ReadOnlySpan<byte> field, out ReadOnlySpan<byte> value))
                    {
                        items.Add(field.ToArray());
                        items.Add(value.ToArray());
                    }

                    break;
                }
            }
        }
        catch (FormatException e)
        {
            throw Input.Error($"corrupt {RdbObjectTypes.EncodingName(Type)} value: {e.Message}", start);
        }

        return items;
    }

    private IEnumerable<RdbValueChunk> DecodeBlobValue(int maxItems, int maxBytes)
    {
        long blobStart = Input.Offset;
        if (Type == RdbObjectType.HashListpackTtl)
        {
            Input.Skip(8); // minExpire: informational, the triplets carry each field's TTL
            blobStart = Input.Offset;
        }

        BlobLayout layout = Type switch
        {
            RdbObjectType.HashZipmap => BlobLayout.Zipmap,
            RdbObjectType.SetIntset => BlobLayout.Intset,
            RdbObjectType.ListZiplist or RdbObjectType.SortedSetZiplist or RdbObjectType.HashZiplist => BlobLayout.Ziplist,
            _ => BlobLayout.Listpack,
        };
        List<byte[]> items = ReadBlobItems(layout);
        RdbKind kind = RdbObjectTypes.KindOf(Type);
        int tuple = kind switch
        {
            RdbKind.List or RdbKind.Set => 1,
            RdbKind.Hash when Type is RdbObjectType.HashListpackTtl or RdbObjectType.HashListpackTtlPreGa => 3,
            _ => 2,
        };
        if (items.Count % tuple != 0)
        {
            throw Input.Error($"{items.Count} elements do not form whole groups of {tuple}", blobStart);
        }

        int step = Math.Max(1, maxItems);
        for (int i = 0; i < items.Count;)
        {
            int end = Math.Min(items.Count, i + (step * tuple));
            switch (kind)
            {
                case RdbKind.List:
                    yield return new RdbListChunk(items.GetRange(i, end - i));
                    break;
                case RdbKind.Set:
                    yield return new RdbSetChunk(items.GetRange(i, end - i));
                    break;
                case RdbKind.SortedSet:
                {
                    var members = new List<RdbScoredMember>((end - i) / 2);
                    for (int j = i; j < end; j += 2)
                    {
                        if (!RdbDouble.TryParse(items[j + 1], out double score))
                        {
                            throw Input.Error("sorted set score is not a number", blobStart);
                        }

                        members.Add(new RdbScoredMember(items[j], score));
                    }

                    yield return new RdbSortedSetChunk(members);
                    break;
                }

                default:
                {
                    var fields = new List<RdbHashField>((end - i) / tuple);
                    for (int j = i; j < end; j += tuple)
                    {
                        long? expiresAt = null;
                        if (tuple == 3)
                        {
                            if (!System.Buffers.Text.Utf8Parser.TryParse(items[j + 2], out long at, out int used) || used != items[j + 2].Length)
                            {
                                throw Input.Error("hash field TTL is not an integer", blobStart);
                            }

                            expiresAt = at == 0 ? null : at;
                        }

                        fields.Add(new RdbHashField(items[j], items[j + 1], expiresAt));
                    }

                    yield return new RdbHashChunk(fields);
                    break;
                }
            }

            i = end;
        }
    }

    private IEnumerable<RdbValueChunk> DecodeStream(int maxItems, int maxBytes)
    {
        long nodes = Input.ReadCount("stream node");
        var batch = new Batch<RdbStreamEntry>(maxItems, maxBytes);
        for (long i = 0; i < nodes; i++)
        {
            long at = Input.Offset;
            var entries = new List<RdbStreamEntry>();
            try
            {
                RdbStreamId master = StreamNode.ParseId(RdbString.Read(Input, Scratch, LzfScratch, 16, "stream node key"));
                at = Input.Offset;
                StreamNode.Decode(master, RdbString.Read(Input, Scratch, LzfScratch, Settings.MaxInMemoryBytes, "stream node"), entries);
            }
            catch (FormatException e)
            {
                throw Input.Error($"corrupt stream node: {e.Message}", at);
            }

            foreach (RdbStreamEntry entry in entries)
            {
                long bytes = 16;
                for (int f = 0; f < entry.Fields.Count; f++)
                {
                    bytes += entry.Fields[f].Length + entry.Values[f].Length;
                }

                if (batch.Add(entry, bytes))
                {
                    yield return new RdbStreamEntriesChunk(batch.Take());
                }
            }
        }

        if (batch.HasItems)
        {
            yield return new RdbStreamEntriesChunk(batch.Take());
        }

        yield return new RdbStreamMetadataChunk(ReadStreamMetadata());
        long groups = Input.ReadCount("consumer group");
        for (long g = 0; g < groups; g++)
        {
            yield return new RdbStreamGroupChunk(ReadStreamGroup());
        }
    }

    private RdbStreamGroup ReadStreamGroup()
    {
        byte[] name = ReadElement("consumer group name");
        var lastId = new RdbStreamId(Input.ReadLength(), Input.ReadLength());
        long? entriesRead = null;
        if (Type >= RdbObjectType.StreamListpacks2)
        {
            ulong read = Input.ReadLength();
            entriesRead = (long)read; // 2^64-1 arrives as -1: "unknown"
        }

        long pelSize = Input.ReadCount("pending entry");
        var pending = new List<RdbPendingEntry>();
        for (long p = 0; p < pelSize; p++)
        {
            RdbStreamId id = StreamNode.ParseId(Input.ReadSpan(16));
            long deliveryTime = Input.ReadInt64LittleEndian();
            ulong deliveryCount = Input.ReadLength();
            pending.Add(new RdbPendingEntry(id, deliveryTime, deliveryCount));
        }

        long consumerCount = Input.ReadCount("consumer");
        var consumers = new List<RdbStreamConsumer>();
        for (long c = 0; c < consumerCount; c++)
        {
            byte[] consumerName = ReadElement("consumer name");
            long seen = Input.ReadInt64LittleEndian();
            long? active = Type >= RdbObjectType.StreamListpacks3 ? Input.ReadInt64LittleEndian() : null;
            long owned = Input.ReadCount("consumer pending entry");
            var ids = new List<RdbStreamId>();
            for (long o = 0; o < owned; o++)
            {
                ids.Add(StreamNode.ParseId(Input.ReadSpan(16)));
            }

            consumers.Add(new RdbStreamConsumer(consumerName, seen, active, ids));
        }

        return new RdbStreamGroup(name, lastId, entriesRead, pending, consumers);
    }
}

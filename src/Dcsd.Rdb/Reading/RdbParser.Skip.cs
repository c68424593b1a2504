using Dcsd.Rdb.Encodings;
using Dcsd.Rdb.Primitives;

namespace Dcsd.Rdb.Reading;

/// <summary>Verification: consumes the current value, checking its structure, without keeping it.</summary>
internal sealed partial class RdbParser
{
    internal const ulong ModuleOpcodeEof = 0;
    internal const ulong ModuleOpcodeSInt = 1;
    internal const ulong ModuleOpcodeUInt = 2;
    internal const ulong ModuleOpcodeFloat = 3;
    internal const ulong ModuleOpcodeDouble = 4;
    internal const ulong ModuleOpcodeString = 5;

    /// <summary>Module type names seen in values (type 7).</summary>
    public HashSet<string> ModuleTypeNames { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Consumes the current value. Returns its element count (1 for strings and module values, -1 when a blob was
    /// too big to look inside), so the caller can tell empty collections, which Redis drops on load.
    /// </summary>
    // Hot path of every verification: compile optimized at once instead of running tier-0 code through a short CLI run.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public long SkipValue()
    {
        RdbInput input = Input;
        switch (Type)
        {
            case RdbObjectType.String:
                if (!input.TryReadShortRawString(out _))
                {
                    RdbString.Skip(input);
                }

                return 1;
            case RdbObjectType.List:
            case RdbObjectType.Set:
            {
                long n = input.ReadCount("element");
                for (long i = 0; i < n; i++)
                {
                    RdbString.Skip(input);
                }

                return n;
            }

            case RdbObjectType.SortedSet:
            {
                long n = input.ReadCount("member");
                for (long i = 0; i < n; i++)
                {
                    RdbString.Skip(input);
                    ReadStringDouble(input);
                }

                return n;
            }

            case RdbObjectType.Hash:
            {
                long n = input.ReadCount("field");
                for (long i = 0; i < n; i++)
                {
                    RdbString.Skip(input);
                    RdbString.Skip(input);
                }

                return n;
            }

            case RdbObjectType.SortedSet2:
            {
                long n = input.ReadCount("member");
                for (long i = 0; i < n; i++)
                {
                    RdbString.Skip(input);
                    input.Skip(8);
                }

                return n;
            }

            case RdbObjectType.Module2:
                ModuleTypeNames.Add(ModuleId.Name(input.ReadLength()));
                SkipModuleOpcodes();
                return 1;
            case RdbObjectType.ListQuicklist:
            {
                long nodes = input.ReadCount("quicklist node");
                long total = 0;
                for (long i = 0; i < nodes; i++)
                {
                    total = AddCount(total, SkipBlob(BlobKind.Ziplist, 1));
                }

                return total;
            }

            case RdbObjectType.ListQuicklist2:
            {
                long nodes = input.ReadCount("quicklist node");
                long total = 0;
                for (long i = 0; i < nodes; i++)
                {
                    long at = input.Offset;
                    ulong container = input.ReadLength();
                    if (container == 1)
                    {
                        RdbString.Skip(input);
                        total = AddCount(total, 1);
                    }
                    else if (container == 2)
                    {
                        total = AddCount(total, SkipBlob(BlobKind.Listpack, 1));
                    }
                    else
                    {
                        throw input.Error($"unknown quicklist node container {container}", at);
                    }
                }

                return total;
            }

            case RdbObjectType.HashZipmap:
                return SkipBlob(BlobKind.Zipmap, 1);
            case RdbObjectType.ListZiplist:
                return SkipBlob(BlobKind.Ziplist, 1);
            case RdbObjectType.SetIntset:
                return SkipBlob(BlobKind.Intset, 1);
            case RdbObjectType.SortedSetZiplist:
                return SkipBlob(BlobKind.ZiplistScored, 2);
            case RdbObjectType.HashZiplist:
                return SkipBlob(BlobKind.Ziplist, 2);
            case RdbObjectType.HashListpack:
                return SkipBlob(BlobKind.Listpack, 2);
            case RdbObjectType.SortedSetListpack:
                return SkipBlob(BlobKind.ListpackScored, 2);
            case RdbObjectType.SetListpack:
                return SkipBlob(BlobKind.Listpack, 1);
            case RdbObjectType.HashListpackTtlPreGa:
                return SkipBlob(BlobKind.Listpack, 3);
            case RdbObjectType.HashListpackTtl:
                input.Skip(8);
                return SkipBlob(BlobKind.Listpack, 3);
            case RdbObjectType.HashMetadataPreGa when IsValkey:
            {
                long n = input.ReadCount("field");
                for (long i = 0; i < n; i++)
                {
                    RdbString.Skip(input);
                    RdbString.Skip(input);
                    input.Skip(8);
                }

                return n;
            }

            case RdbObjectType.HashMetadataPreGa:
            case RdbObjectType.HashMetadata:
            {
                if (Type == RdbObjectType.HashMetadata)
                {
                    input.Skip(8);
                }

                long n = input.ReadCount("field");
                for (long i = 0; i < n; i++)
                {
                    input.ReadLength();
                    RdbString.Skip(input);
                    RdbString.Skip(input);
                }

                return n;
            }

            case RdbObjectType.StreamListpacks:
            case RdbObjectType.StreamListpacks2:
            case RdbObjectType.StreamListpacks3:
                SkipStream();
                return 1;
            default:
                throw input.Error($"object type {(byte)Type} cannot be read", KeyOffset);
        }
    }

    private static long AddCount(long total, long count) => total < 0 || count < 0 ? -1 : total + count;

    private enum BlobKind
    {
        Ziplist,
        ZiplistScored,
        Listpack,
        ListpackScored,
        Intset,
        Zipmap,
    }

    /// <summary>
    /// Reads one encoded blob and checks it element by element when it is small enough to hold.
    /// Returns the number of logical items (elements / <paramref name="tuple"/>), or -1 when not looked into.
    /// </summary>
    private long SkipBlob(BlobKind kind, int tuple)
    {
        long start = Input.Offset;
        RdbStringHeader header = RdbString.ReadHeader(Input);
        if (header.Kind == RdbStringKind.Integer)
        {
            throw Input.Error("an integer where an encoded blob was expected", start);
        }

        if (header.Length > Settings.MaxBlobValidationBytes)
        {
            if (header.Kind == RdbStringKind.Raw)
            {
                Input.Skip(header.Length);
            }
            else
            {
                Lzf.Validate(Input, header.CompressedLength, header.Length);
            }

            return -1;
        }

        ReadOnlySpan<byte> blob = RdbString.Read(Input, header, start, Scratch, LzfScratch, Settings.MaxBlobValidationBytes, "encoded blob");
        try
        {
            long elements = CountBlob(kind, blob);
            if (elements % tuple != 0)
            {
                throw new FormatException($"{elements} elements do not form whole groups of {tuple}");
            }

            return elements / tuple;
        }
        catch (FormatException e)
        {
            throw Input.Error($"corrupt {RdbObjectTypes.EncodingName(Type)} value: {e.Message}", start);
        }
    }

    private static long CountBlob(BlobKind kind, ReadOnlySpan<byte> blob)
    {
        long n = 0;
        switch (kind)
        {
            case BlobKind.Ziplist:
            case BlobKind.ZiplistScored:
            {
                var reader = new ZiplistReader(blob);
                while (reader.TryRead(out PackedElement element))
                {
                    n++;
                    if (kind == BlobKind.ZiplistScored && n % 2 == 0 && !element.TryGetDouble(out _))
                    {
                        throw new FormatException("sorted set score is not a number");
                    }
                }

                return n;
            }

            case BlobKind.Listpack:
            case BlobKind.ListpackScored:
            {
                var reader = new ListpackReader(blob);
                while (reader.TryRead(out PackedElement element))
                {
                    n++;
                    if (kind == BlobKind.ListpackScored && n % 2 == 0 && !element.TryGetDouble(out _))
                    {
                        throw new FormatException("sorted set score is not a number");
                    }
                }

                return n;
            }

            case BlobKind.Intset:
            {
                var reader = new IntsetReader(blob);
                while (reader.TryRead(out _))
                {
                    n++;
                }

                return n;
            }

            default:
            {
                var reader = new ZipmapReader(blob);
                while (reader.TryRead(out _, out _))
                {
                    n++;
                }

                return n * 2;
            }
        }
    }

    /// <summary>Old (type 3) score: a length byte and ASCII, or 253/254/255 for NaN/+inf/-inf.</summary>
    internal static double ReadStringDouble(RdbInput input)
    {
        long start = input.Offset;
        byte len = input.ReadByte();
        switch (len)
        {
            case 253:
                return double.NaN;
            case 254:
                return double.PositiveInfinity;
            case 255:
                return double.NegativeInfinity;
            default:
                if (!RdbDouble.TryParse(input.ReadSpan(len), out double value))
                {
                    throw input.Error("sorted set score is not a number", start);
                }

                return value;
        }
    }

    /// <summary>Skips a module value or MODULE_AUX payload: typed items up to the EOF opcode (rdbLoadCheckModuleValue).</summary>
    internal void SkipModuleOpcodes()
    {
        while (true)
        {
            long at = Input.Offset;
            ulong opcode = Input.ReadLength();
            switch (opcode)
            {
                case ModuleOpcodeEof:
                    return;
                case ModuleOpcodeSInt:
                case ModuleOpcodeUInt:
                    Input.ReadLength();
                    break;
                case ModuleOpcodeFloat:
                    Input.Skip(4);
                    break;
                case ModuleOpcodeDouble:
                    Input.Skip(8);
                    break;
                case ModuleOpcodeString:
                    RdbString.Skip(Input);
                    break;
                default:
                    throw Input.Error($"unknown module value opcode {opcode}", at);
            }
        }
    }

    private void SkipStream()
    {
        RdbInput input = Input;
        long nodes = input.ReadCount("stream node");
        for (long i = 0; i < nodes; i++)
        {
            long at = input.Offset;
            Span<byte> nodeKey = RdbString.Read(input, Scratch, LzfScratch, 16, "stream node key");
            RdbStreamId master;
            try
            {
                master = StreamNode.ParseId(nodeKey);
            }
            catch (FormatException e)
            {
                throw input.Error(e.Message, at);
            }

            at = input.Offset;
            Span<byte> listpack = RdbString.Read(input, Scratch, LzfScratch, Settings.MaxInMemoryBytes, "stream node");
            try
            {
                StreamNode.Decode(master, listpack, null);
            }
            catch (FormatException e)
            {
                throw input.Error($"corrupt stream node: {e.Message}", at);
            }
        }

        ReadStreamMetadata();
        long groups = input.ReadCount("consumer group");
        for (long g = 0; g < groups; g++)
        {
            RdbString.Skip(input);
            input.ReadLength();
            input.ReadLength();
            if (Type >= RdbObjectType.StreamListpacks2)
            {
                input.ReadLength();
            }

            long pel = input.ReadCount("pending entry");
            for (long p = 0; p < pel; p++)
            {
                input.Skip(16 + 8);
                input.ReadLength();
            }

            long consumers = input.ReadCount("consumer");
            for (long c = 0; c < consumers; c++)
            {
                RdbString.Skip(input);
                input.Skip(Type >= RdbObjectType.StreamListpacks3 ? 16 : 8);
                long owned = input.ReadCount("consumer pending entry");
                input.Skip(owned * 16);
            }
        }
    }

    internal RdbStreamMetadata ReadStreamMetadata()
    {
        RdbInput input = Input;
        ulong length = input.ReadLength();
        var lastId = new RdbStreamId(input.ReadLength(), input.ReadLength());
        if (Type < RdbObjectType.StreamListpacks2)
        {
            return new RdbStreamMetadata(length, lastId, null, null, null);
        }

        var firstId = new RdbStreamId(input.ReadLength(), input.ReadLength());
        var maxDeleted = new RdbStreamId(input.ReadLength(), input.ReadLength());
        ulong added = input.ReadLength();
        return new RdbStreamMetadata(length, lastId, firstId, maxDeleted, added);
    }
}

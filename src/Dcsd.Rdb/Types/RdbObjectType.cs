namespace Dcsd.Rdb;

// The member names mirror Redis's own type names (rdb.h, TYPE), "String" included.
#pragma warning disable CA1720

/// <summary>RDB object type ids (rdb.h), the byte in front of every key and of every DUMP payload.</summary>
public enum RdbObjectType : byte
{
    String = 0,
    List = 1,
    Set = 2,
    SortedSet = 3,
    Hash = 4,
    SortedSet2 = 5,
    ModulePreGa = 6,
    Module2 = 7,
    HashZipmap = 9,
    ListZiplist = 10,
    SetIntset = 11,
    SortedSetZiplist = 12,
    HashZiplist = 13,
    ListQuicklist = 14,
    StreamListpacks = 15,
    HashListpack = 16,
    SortedSetListpack = 17,
    ListQuicklist2 = 18,
    StreamListpacks2 = 19,
    SetListpack = 20,
    StreamListpacks3 = 21,

    /// <summary>Redis 7.4-rc hash with field TTLs; in Valkey 9 files (VALKEY magic) the same id is Valkey's HASH_2.</summary>
    HashMetadataPreGa = 22,
    HashListpackTtlPreGa = 23,
    HashMetadata = 24,
    HashListpackTtl = 25,
}

/// <summary>The Redis data type a key holds, whatever its encoding.</summary>
public enum RdbKind
{
    String,
    List,
    Set,
    SortedSet,
    Hash,
    Stream,
    Module,
}

public static class RdbObjectTypes
{
    public static bool IsKnown(byte type) => type <= 25 && type != 8;

    public static RdbKind KindOf(RdbObjectType type) => type switch
    {
        RdbObjectType.String => RdbKind.String,
        RdbObjectType.List or RdbObjectType.ListZiplist or RdbObjectType.ListQuicklist or RdbObjectType.ListQuicklist2 => RdbKind.List,
        RdbObjectType.Set or RdbObjectType.SetIntset or RdbObjectType.SetListpack => RdbKind.Set,
        RdbObjectType.SortedSet or RdbObjectType.SortedSet2 or RdbObjectType.SortedSetZiplist or RdbObjectType.SortedSetListpack => RdbKind.SortedSet,
        RdbObjectType.Hash or RdbObjectType.HashZipmap or RdbObjectType.HashZiplist or RdbObjectType.HashListpack
            or RdbObjectType.HashMetadataPreGa or RdbObjectType.HashListpackTtlPreGa or RdbObjectType.HashMetadata or RdbObjectType.HashListpackTtl => RdbKind.Hash,
        RdbObjectType.StreamListpacks or RdbObjectType.StreamListpacks2 or RdbObjectType.StreamListpacks3 => RdbKind.Stream,
        _ => RdbKind.Module,
    };

    /// <summary>The Redis TYPE name ("string", "list", "set", "zset", "hash", "stream", "module").</summary>
    public static string KindName(RdbKind kind) => kind switch
    {
        RdbKind.String => "string",
        RdbKind.List => "list",
        RdbKind.Set => "set",
        RdbKind.SortedSet => "zset",
        RdbKind.Hash => "hash",
        RdbKind.Stream => "stream",
        _ => "module",
    };

    /// <summary>The serialized encoding, named after the RDB type (e.g. "listpack", "quicklist2", "hashtable").</summary>
    public static string EncodingName(RdbObjectType type) => type switch
    {
        RdbObjectType.String => "string",
        RdbObjectType.List => "linkedlist",
        RdbObjectType.Set => "hashtable",
        RdbObjectType.SortedSet => "skiplist",
        RdbObjectType.Hash => "hashtable",
        RdbObjectType.SortedSet2 => "skiplist2",
        RdbObjectType.ModulePreGa => "module_pre_ga",
        RdbObjectType.Module2 => "module2",
        RdbObjectType.HashZipmap => "zipmap",
        RdbObjectType.ListZiplist or RdbObjectType.SortedSetZiplist or RdbObjectType.HashZiplist => "ziplist",
        RdbObjectType.SetIntset => "intset",
        RdbObjectType.ListQuicklist => "quicklist",
        RdbObjectType.ListQuicklist2 => "quicklist2",
        RdbObjectType.StreamListpacks => "listpacks",
        RdbObjectType.StreamListpacks2 => "listpacks2",
        RdbObjectType.StreamListpacks3 => "listpacks3",
        RdbObjectType.HashListpack or RdbObjectType.SortedSetListpack or RdbObjectType.SetListpack => "listpack",
        RdbObjectType.HashMetadataPreGa => "hash_metadata_pre_ga",
        RdbObjectType.HashListpackTtlPreGa => "listpack_ex_pre_ga",
        RdbObjectType.HashMetadata => "hash_metadata",
        RdbObjectType.HashListpackTtl => "listpack_ex",
        _ => "unknown",
    };
}

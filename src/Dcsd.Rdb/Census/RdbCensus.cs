using System.Text.Json.Serialization;

namespace Dcsd.Rdb;

/// <summary>What an RDB file holds, as found by a full verification pass. Serializes to snake_case JSON.</summary>
public sealed class RdbCensus
{
    [JsonPropertyName("rdb_version")]
    public int RdbVersion { get; init; }

    /// <summary>"redis" or "valkey" (from the magic).</summary>
    [JsonPropertyName("flavor")]
    public string Flavor { get; init; } = "redis";

    [JsonPropertyName("redis_version")]
    public string? RedisVersion { get; init; }

    [JsonPropertyName("aux")]
    public IReadOnlyDictionary<string, string> Aux { get; init; } = new Dictionary<string, string>();

    [JsonPropertyName("databases")]
    public IReadOnlyList<RdbDatabaseCensus> Databases { get; init; } = [];

    [JsonPropertyName("total_keys")]
    public long TotalKeys { get; init; }

    /// <summary>Keys per Redis type name ("string", "list", "set", "zset", "hash", "stream", "module").</summary>
    [JsonPropertyName("types")]
    public IReadOnlyDictionary<string, long> Types { get; init; } = new Dictionary<string, long>();

    /// <summary>Keys per "type/encoding" (e.g. "hash/listpack", "list/quicklist2").</summary>
    [JsonPropertyName("encodings")]
    public IReadOnlyDictionary<string, long> Encodings { get; init; } = new Dictionary<string, long>();

    [JsonPropertyName("functions")]
    public int Functions { get; init; }

    [JsonPropertyName("function_libraries")]
    public IReadOnlyList<string> FunctionLibraries { get; init; } = [];

    /// <summary>Module names seen in module values and MODULE_AUX records.</summary>
    [JsonPropertyName("modules")]
    public IReadOnlyList<string> Modules { get; init; } = [];

    [JsonPropertyName("largest")]
    public IReadOnlyList<RdbLargestKey> Largest { get; init; } = [];

    /// <summary>True when the stored CRC64 was non-zero and matched; false when it is 0 (disabled) or absent (RDB &lt; 5).</summary>
    [JsonPropertyName("checksum_verified")]
    public bool ChecksumVerified { get; init; }

    /// <summary>The stored CRC64 as 16 hex digits, or null for RDB &lt; 5.</summary>
    [JsonPropertyName("checksum")]
    public string? Checksum { get; init; }

    /// <summary>Bytes of the RDB itself, header to checksum.</summary>
    [JsonPropertyName("bytes")]
    public long Bytes { get; init; }

    /// <summary>Bytes after the checksum (an AOF tail, a diskless EOF marker), which Redis ignores.</summary>
    [JsonPropertyName("trailing_bytes")]
    public long TrailingBytes { get; init; }
}

public sealed class RdbDatabaseCensus
{
    [JsonPropertyName("db")]
    public int Db { get; init; }

    [JsonPropertyName("keys")]
    public long Keys { get; init; }

    /// <summary>Keys with an expire time.</summary>
    [JsonPropertyName("expires")]
    public long Expires { get; init; }

    /// <summary>Keys whose expire time had passed at verification time (a master drops these on load).</summary>
    [JsonPropertyName("already_expired")]
    public long AlreadyExpired { get; init; }

    /// <summary>Empty collections (Redis skips these on load, "empty keys skipped").</summary>
    [JsonPropertyName("empty_keys")]
    public long EmptyKeys { get; init; }
}

public sealed class RdbLargestKey
{
    [JsonPropertyName("db")]
    public int Db { get; init; }

    /// <summary>The key as UTF-8 text (invalid bytes replaced); <see cref="KeyBase64"/> has the exact bytes.</summary>
    [JsonPropertyName("key")]
    public string Key { get; init; } = string.Empty;

    [JsonPropertyName("key_base64")]
    public string KeyBase64 { get; init; } = string.Empty;

    [JsonPropertyName("type")]
    public string Type { get; init; } = string.Empty;

    [JsonPropertyName("encoding")]
    public string Encoding { get; init; } = string.Empty;

    /// <summary>Serialized size in the RDB: type byte, key and value.</summary>
    [JsonPropertyName("size")]
    public long Size { get; init; }
}

public sealed class RdbVerifyOptions
{
    /// <summary>How many of the largest keys to report.</summary>
    public int LargestKeys { get; init; } = 10;

    /// <summary>The instant that decides "already expired"; defaults to now.</summary>
    public DateTimeOffset? Now { get; init; }

    /// <summary>Skip Redis Enterprise opcodes 107/121 instead of failing.</summary>
    public bool AllowEnterpriseOpcodes { get; init; }

    /// <summary>Encoded blobs (ziplists, listpacks…) up to this size are checked element by element.</summary>
    public long MaxBlobValidationBytes { get; init; } = 64L << 20;

    /// <summary>Largest single key, aux field or stream node held in memory.</summary>
    public long MaxInMemoryBytes { get; init; } = 512L << 20;
}

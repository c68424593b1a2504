namespace Dcsd.Rdb;

/// <summary>
/// A piece of a decoded value. Values are handed out as a sequence of chunks so that a value of any size can be
/// processed (e.g. rendered to RPUSH/SADD/… batches) without holding it whole.
/// </summary>
public abstract record RdbValueChunk;

/// <summary>Consecutive bytes of a string value; <paramref name="Offset"/> is where they start in the value.</summary>
public sealed record RdbStringChunk(ReadOnlyMemory<byte> Data, long Offset, long TotalLength) : RdbValueChunk;

/// <summary>List items, head to tail.</summary>
public sealed record RdbListChunk(IReadOnlyList<byte[]> Items) : RdbValueChunk;

public sealed record RdbSetChunk(IReadOnlyList<byte[]> Members) : RdbValueChunk;

public readonly record struct RdbScoredMember(byte[] Member, double Score);

public sealed record RdbSortedSetChunk(IReadOnlyList<RdbScoredMember> Members) : RdbValueChunk;

/// <summary>A hash field; <paramref name="ExpiresAtMs"/> is the absolute field TTL (Redis 7.4+ hash field expiration) or null.</summary>
public readonly record struct RdbHashField(byte[] Field, byte[] Value, long? ExpiresAtMs);

public sealed record RdbHashChunk(IReadOnlyList<RdbHashField> Fields) : RdbValueChunk;

/// <summary>Live stream entries in id order.</summary>
public sealed record RdbStreamEntriesChunk(IReadOnlyList<RdbStreamEntry> Entries) : RdbValueChunk;

/// <summary>Comes after all entries of a stream.</summary>
public sealed record RdbStreamMetadataChunk(RdbStreamMetadata Metadata) : RdbValueChunk;

/// <summary>One consumer group with its pending entries and consumers; after the metadata.</summary>
public sealed record RdbStreamGroupChunk(RdbStreamGroup Group) : RdbValueChunk;

/// <summary>A module value: opaque without the module, so it can only travel as a DUMP payload.</summary>
public sealed record RdbModuleChunk(string ModuleName, int EncodingVersion) : RdbValueChunk;

namespace Dcsd.Rdb;

/// <summary>A stream entry id (milliseconds-sequence).</summary>
public readonly record struct RdbStreamId(ulong Milliseconds, ulong Sequence) : IComparable<RdbStreamId>
{
    public int CompareTo(RdbStreamId other) =>
        Milliseconds != other.Milliseconds ? Milliseconds.CompareTo(other.Milliseconds) : Sequence.CompareTo(other.Sequence);

    public override string ToString() => $"{Milliseconds}-{Sequence}";

    public static bool operator <(RdbStreamId left, RdbStreamId right) => left.CompareTo(right) < 0;

    public static bool operator >(RdbStreamId left, RdbStreamId right) => left.CompareTo(right) > 0;

    public static bool operator <=(RdbStreamId left, RdbStreamId right) => left.CompareTo(right) <= 0;

    public static bool operator >=(RdbStreamId left, RdbStreamId right) => left.CompareTo(right) >= 0;
}

/// <summary>A live stream entry with its field/value pairs in order.</summary>
public sealed record RdbStreamEntry(RdbStreamId Id, IReadOnlyList<byte[]> Fields, IReadOnlyList<byte[]> Values);

/// <summary>One pending (delivered, not acknowledged) entry of a consumer group.</summary>
public readonly record struct RdbPendingEntry(RdbStreamId Id, long DeliveryTimeMs, ulong DeliveryCount);

public sealed record RdbStreamConsumer(byte[] Name, long SeenTimeMs, long? ActiveTimeMs, IReadOnlyList<RdbStreamId> Pending);

public sealed record RdbStreamGroup(
    byte[] Name,
    RdbStreamId LastDeliveredId,
    long? EntriesRead,
    IReadOnlyList<RdbPendingEntry> Pending,
    IReadOnlyList<RdbStreamConsumer> Consumers);

/// <summary>Stream metadata that follows the entries in the RDB (XLEN, last id, and for RDB 10+ the XINFO extras).</summary>
public sealed record RdbStreamMetadata(
    ulong Length,
    RdbStreamId LastId,
    RdbStreamId? FirstId,
    RdbStreamId? MaxDeletedId,
    ulong? EntriesAdded);

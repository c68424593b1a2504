using System.Globalization;

namespace Dcsd.Redis.Protocol;

internal enum RespReplyKind
{
    Simple,
    Error,
    Integer,
    Bulk,
    Null,
    Array,
}

/// <summary>
/// One top-level reply as the data plane reads it, without allocating for the common +OK. <see cref="Text"/> holds simple
/// strings, errors and bulk strings; for an array, its first element's text (SCAN's cursor) and in <see cref="Second"/>
/// its second's (the value of CONFIG GET name).
/// </summary>
internal readonly record struct RespReply(RespReplyKind Kind, string? Text, long Integer, string? Second = null)
{
    public bool IsError => Kind == RespReplyKind.Error;
}

/// <summary>A whole reply as a tree, for the few control-plane replies that are nested (CLUSTER SHARDS).</summary>
internal sealed class RespValue
{
    public static readonly RespValue Null = new(RespReplyKind.Null, null, 0, []);

    public RespValue(RespReplyKind kind, string? text, long integer, IReadOnlyList<RespValue> items)
    {
        Kind = kind;
        Text = text;
        Integer = integer;
        Items = items;
    }

    public RespReplyKind Kind { get; }

    public string? Text { get; }

    public long Integer { get; }

    /// <summary>An array's elements (empty for anything else).</summary>
    public IReadOnlyList<RespValue> Items { get; }

    public bool IsNull => Kind == RespReplyKind.Null;

    /// <summary>An integer reply, or a bulk string holding digits (RESP2 sends some numbers as text).</summary>
    public long AsLong() => Kind == RespReplyKind.Integer
        ? Integer
        : long.TryParse(Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value)
            ? value
            : throw new RedisFailureException(RedisFailureKind.ProtocolViolation, $"expected a number, got '{Text}'");

    public override string ToString() => Kind == RespReplyKind.Integer ? Integer.ToString(CultureInfo.InvariantCulture) : Text ?? string.Empty;
}

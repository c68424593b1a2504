namespace Dcsd.Redis.Restore;

internal enum RespReplyKind
{
    Simple,
    Error,
    Integer,
    Bulk,
    Null,
    Array,
}

/// <summary>One top-level reply. <see cref="Text"/> holds simple strings, errors and bulk strings (for an array: its first element's text, e.g. SCAN's cursor).</summary>
internal readonly record struct RespReply(RespReplyKind Kind, string? Text, long Integer)
{
    public bool IsError => Kind == RespReplyKind.Error;
}

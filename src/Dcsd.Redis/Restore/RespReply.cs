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

/// <summary>
/// One top-level reply. <see cref="Text"/> holds simple strings, errors and bulk strings; for an array, its first
/// element's text (SCAN's cursor) and in <see cref="Second"/> its second's (the value of CONFIG GET name).
/// </summary>
internal readonly record struct RespReply(RespReplyKind Kind, string? Text, long Integer, string? Second = null)
{
    public bool IsError => Kind == RespReplyKind.Error;
}

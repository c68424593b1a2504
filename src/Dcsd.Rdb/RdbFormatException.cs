namespace Dcsd.Rdb;

/// <summary>An RDB stream is malformed, truncated, of an unsupported version, or fails its checksum.</summary>
public sealed class RdbFormatException : Exception
{
    public RdbFormatException()
        : this("malformed RDB", 0)
    {
    }

    public RdbFormatException(string message)
        : this(message, 0)
    {
    }

    public RdbFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RdbFormatException(string message, long offset)
        : base($"{message} (at byte offset {offset})")
    {
        Offset = offset;
        Reason = message;
    }

    /// <summary>Byte offset from the start of the RDB where the defect was detected.</summary>
    public long Offset { get; }

    /// <summary>The message without the offset suffix.</summary>
    public string Reason { get; } = string.Empty;
}

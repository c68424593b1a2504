namespace Dcsd.Rdb.Primitives;

/// <summary>A confined read (<see cref="RdbInput.BeginConfined"/>) needed bytes beyond those buffered.</summary>
internal sealed class BufferExhaustedException : Exception
{
    public BufferExhaustedException()
        : base("the value continues past the buffered input")
    {
    }

    public BufferExhaustedException(string message)
        : base(message)
    {
    }

    public BufferExhaustedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

using Dcsd.Redis.Protocol;

namespace Dcsd.Redis.Restore;

/// <summary>Writes the restore commands to a stream instead of a server (for <c>redis-cli --pipe</c> and diagnostics).</summary>
internal sealed class RespStreamSink : IRestoreCommandSink, IDisposable
{
    private readonly Stream _output;
    private readonly RespWriter _buffer = new();
    private readonly int _flushBytes;

    public RespStreamSink(Stream output, int flushBytes)
    {
        _output = output;
        _flushBytes = flushBytes;
    }

    public RespWriter Begin(byte[]? routingKey) => _buffer;

    public int GroupOf(byte[] key) => 0;

    public void Commit(RestoreCommandInfo command)
    {
        if (_buffer.Length >= _flushBytes)
        {
            Flush();
        }
    }

    public void Complete()
    {
        Flush();
        _output.Flush();
    }

    private void Flush()
    {
        _output.Write(_buffer.Written.Span);
        _buffer.Clear();
    }

    public void Dispose() => _buffer.Dispose();
}

namespace Dcsd.Redis.Restore;

/// <summary>Writes the restore commands to a stream instead of a server (for <c>redis-cli --pipe</c> and diagnostics).</summary>
internal sealed class RespStreamSink : IRestoreCommandSink, IDisposable
{
    private readonly Stream _output;
    private readonly RespCommandBuffer _buffer = new();
    private readonly int _flushBytes;

    public RespStreamSink(Stream output, int flushBytes)
    {
        _output = output;
        _flushBytes = flushBytes;
    }

    public long Commands { get; private set; }

    public RespCommandBuffer Begin(byte[]? routingKey) => _buffer;

    public async ValueTask CommitAsync(RestoreCommandInfo command, CancellationToken cancellationToken)
    {
        Commands++;
        if (_buffer.Length >= _flushBytes)
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        await _output.WriteAsync(_buffer.Written, cancellationToken).ConfigureAwait(false);
        _buffer.Clear();
    }

    public void Dispose() => _buffer.Dispose();
}

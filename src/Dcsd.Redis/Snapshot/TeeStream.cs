using System.IO.Pipelines;

namespace Dcsd.Redis.Snapshot;

/// <summary>
/// A write-only stream that writes every block to the backup file and to a pipe read by the verifier, so the file is
/// parsed while it arrives instead of being read back afterwards. If the verifier stops reading (it found a defect),
/// the file still gets every byte and the defect is reported when the transfer ends.
/// </summary>
internal sealed class TeeStream(Stream file, PipeWriter verifier) : Stream
{
    private bool _verifierGone;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var fileWrite = file.WriteAsync(buffer, cancellationToken);
        if (!_verifierGone)
        {
            var result = await verifier.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            _verifierGone = result.IsCompleted;
        }

        await fileWrite.ConfigureAwait(false);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override Task FlushAsync(CancellationToken cancellationToken) => file.FlushAsync(cancellationToken);

    public override void Flush() => file.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}

using System.Buffers.Binary;

namespace Dcsd.Rdb.Tests;

/// <summary>
/// An RDB produced on the fly from parts (header through the EOF opcode), with the CRC64 trailer appended:
/// lets tests feed gigabyte-sized values without ever holding them.
/// </summary>
internal sealed class GeneratedRdbStream : Stream
{
    private readonly IEnumerator<ReadOnlyMemory<byte>> _parts;
    private ReadOnlyMemory<byte> _current;
    private ulong _crc;
    private bool _trailerSent;

    public GeneratedRdbStream(IEnumerable<ReadOnlyMemory<byte>> parts) => _parts = parts.GetEnumerator();

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        while (_current.IsEmpty)
        {
            if (_parts.MoveNext())
            {
                _current = _parts.Current;
                _crc = Crc64.Update(_crc, _current.Span);
            }
            else if (!_trailerSent)
            {
                var trailer = new byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(trailer, _crc);
                _current = trailer;
                _trailerSent = true;
            }
            else
            {
                return 0;
            }
        }

        int n = Math.Min(buffer.Length, _current.Length);
        _current.Span[..n].CopyTo(buffer);
        _current = _current[n..];
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _parts.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>An RDB length in the 32-bit form, or the 64-bit form when it does not fit.</summary>
    public static byte[] Length32(long value)
    {
        if (value > uint.MaxValue)
        {
            var wide = new byte[9];
            wide[0] = 0x81;
            BinaryPrimitives.WriteUInt64BigEndian(wide.AsSpan(1), (ulong)value);
            return wide;
        }

        var bytes = new byte[5];
        bytes[0] = 0x80;
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(1), (uint)value);
        return bytes;
    }

    public static byte[] Str(string text) => [(byte)text.Length, .. System.Text.Encoding.ASCII.GetBytes(text)];
}

using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Dcsd.Redis.Restore;

/// <summary>
/// Reads RESP2 replies from a stream through one pooled buffer. Replies to restore traffic are tiny (+OK, :1, ids),
/// so they are parsed in place; bulk strings are materialized as text (INFO, FUNCTION LOAD's library name); of an array
/// only the first element's text is kept (SCAN's cursor), the rest is read and dropped.
/// </summary>
internal sealed class RespReplyReader : IDisposable
{
    private static readonly RespReply Ok = new(RespReplyKind.Simple, "OK", 0);

    private readonly Stream _stream;
    private readonly Func<Exception, Exception> _translate;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
    private int _start;
    private int _end;

    /// <param name="translate">Maps I/O failures and end of stream (given as <see cref="EndOfStreamException"/>) to the caller's exception.</param>
    public RespReplyReader(Stream stream, Func<Exception, Exception> translate)
    {
        _stream = stream;
        _translate = translate;
    }

    /// <summary>The next reply if the bytes read so far hold all of it; see <see cref="Fill"/>.</summary>
    // Runs once per command of a restore: compile optimized at once rather than through the tiers.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public bool TryRead(out RespReply reply)
    {
        ReadOnlySpan<byte> data = _buffer.AsSpan(_start, _end - _start);
        if (data.StartsWith("+OK\r\n"u8))
        {
            // What nearly every restore command answers.
            _start += 5;
            reply = Ok;
            return true;
        }

        if (TryParse(data, out reply, out int consumed))
        {
            _start += consumed;
            return true;
        }

        return false;
    }

    /// <summary>Reads what the stream has, blocking until there is something (see <see cref="TargetConnection"/>).</summary>
    public void Fill()
    {
        int read;
        try
        {
            read = _stream.Read(FreeSpace());
        }
        catch (IOException ex)
        {
            throw _translate(ex);
        }

        if (read == 0)
        {
            throw _translate(new EndOfStreamException("the server closed the connection"));
        }

        _end += read;
    }

    private Span<byte> FreeSpace()
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            // A reply bigger than the buffer (a long INFO): grow.
            byte[] bigger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
            _buffer.AsSpan(0, _end).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }

        return _buffer.AsSpan(_end);
    }

    private static bool TryParse(ReadOnlySpan<byte> data, out RespReply reply, out int consumed)
    {
        reply = default;
        consumed = 0;
        int lineEnd = data.IndexOf("\r\n"u8);
        if (lineEnd < 0)
        {
            return false;
        }

        ReadOnlySpan<byte> line = data[1..lineEnd];
        int afterLine = lineEnd + 2;
        switch (data[0])
        {
            case (byte)'+':
                reply = new RespReply(RespReplyKind.Simple, Text(line), 0);
                consumed = afterLine;
                return true;
            case (byte)'-':
                reply = new RespReply(RespReplyKind.Error, Text(line), 0);
                consumed = afterLine;
                return true;
            case (byte)':':
                reply = new RespReply(RespReplyKind.Integer, null, Number(line));
                consumed = afterLine;
                return true;
            case (byte)'$':
                long length = Number(line);
                if (length < 0)
                {
                    reply = new RespReply(RespReplyKind.Null, null, 0);
                    consumed = afterLine;
                    return true;
                }

                if (data.Length < afterLine + length + 2)
                {
                    return false;
                }

                reply = new RespReply(RespReplyKind.Bulk, Encoding.UTF8.GetString(data.Slice(afterLine, (int)length)), 0);
                consumed = afterLine + (int)length + 2;
                return true;
            case (byte)'*':
                long count = Number(line);
                int offset = afterLine;
                string? first = null, second = null;
                for (long i = 0; i < count; i++)
                {
                    if (!TryParse(data[offset..], out RespReply element, out int elementLength))
                    {
                        return false;
                    }

                    first ??= i == 0 ? element.Text : null;
                    second ??= i == 1 ? element.Text : null;
                    offset += elementLength;
                }

                reply = new RespReply(count < 0 ? RespReplyKind.Null : RespReplyKind.Array, first, Math.Max(count, 0), second);
                consumed = offset;
                return true;
            default:
                throw new RestoreException(RestoreFailure.ProtocolViolation, $"not a RESP reply (first byte 0x{data[0]:x2})");
        }
    }

    private static long Number(ReadOnlySpan<byte> digits) =>
        Utf8Parser.TryParse(digits, out long value, out int used) && used == digits.Length
            ? value
            : throw new RestoreException(RestoreFailure.ProtocolViolation, "malformed RESP length or integer");

    private static string Text(ReadOnlySpan<byte> line) => Encoding.UTF8.GetString(line);

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}

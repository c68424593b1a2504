using System.Buffers;
using System.Buffers.Text;
using System.Text;
using Dcsd.Redis.Protocol;

namespace Dcsd.Redis.Protocol;

/// <summary>
/// The one RESP2 reader: replies (client side) and commands (the replication listener's side) from a stream, through
/// one pooled buffer, parsed in place on spans. Replies to restore traffic are tiny (+OK, :1, ids): <see cref="TryRead"/>
/// keeps only what the data plane needs (an array's first two elements' text); <see cref="TryReadValue"/> builds the
/// whole tree for the few nested control-plane replies; <see cref="TryReadCommand"/> reads what a replica sends its master.
/// </summary>
internal sealed class RespReader : IDisposable
{
    private static readonly RespReply Ok = new(RespReplyKind.Simple, "OK", 0);

    private readonly Stream _stream;
    private readonly Func<Exception, Exception> _translate;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
    private int _start;
    private int _end;

    /// <param name="translate">Maps I/O failures and end of stream (given as <see cref="EndOfStreamException"/>) to the caller's exception.</param>
    public RespReader(Stream stream, Func<Exception, Exception> translate)
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

    /// <summary>Reads what the stream has, blocking until there is something (see <see cref="RedisNodeClient"/>).</summary>
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

    /// <summary>Like <see cref="Fill"/>, for the asynchronous side (the replication listener); false when the peer closed.</summary>
    public async ValueTask<bool> FillAsync(int maxBuffered, CancellationToken cancellationToken)
    {
        if (_end - _start >= maxBuffered)
        {
            throw new RedisFailureException(RedisFailureKind.ProtocolViolation, $"the peer sent a command longer than {maxBuffered} bytes");
        }

        FreeSpace();
        int read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        _end += read;
        return read > 0;
    }

    /// <summary>The next reply as a whole tree, if the bytes read so far hold all of it.</summary>
    public bool TryReadValue(out RespValue value)
    {
        if (TryParseValue(_buffer.AsSpan(_start, _end - _start), out value, out int consumed))
        {
            _start += consumed;
            return true;
        }

        return false;
    }

    /// <summary>
    /// The next command a client (here: a replica) sent, as its arguments: a RESP array of bulk strings or an inline line.
    /// Bare newlines (keep-alives) are skipped. False when more bytes are needed.
    /// </summary>
    public bool TryReadCommand(out string[] command)
    {
        while (true)
        {
            if (!TryParseCommand(_buffer.AsSpan(_start, _end - _start), out command, out int consumed))
            {
                return false;
            }

            _start += consumed;
            if (command.Length > 0)
            {
                return true;
            }
        }
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
                throw new RedisFailureException(RedisFailureKind.ProtocolViolation, $"not a RESP reply (first byte 0x{data[0]:x2})");
        }
    }

    private static bool TryParseValue(ReadOnlySpan<byte> data, out RespValue value, out int consumed)
    {
        value = RespValue.Null;
        consumed = 0;
        int lineEnd = data.IndexOf("\r\n"u8);
        if (lineEnd < 0)
        {
            return false;
        }

        if (data[0] != (byte)'*')
        {
            if (!TryParse(data, out RespReply reply, out consumed))
            {
                return false;
            }

            value = new RespValue(reply.Kind, reply.Text, reply.Integer, []);
            return true;
        }

        long count = Number(data[1..lineEnd]);
        int offset = lineEnd + 2;
        if (count < 0)
        {
            consumed = offset;
            return true;
        }

        var items = new RespValue[count];
        for (long i = 0; i < count; i++)
        {
            if (!TryParseValue(data[offset..], out items[i], out int elementLength))
            {
                return false;
            }

            offset += elementLength;
        }

        value = new RespValue(RespReplyKind.Array, null, count, items);
        consumed = offset;
        return true;
    }

    private static bool TryParseCommand(ReadOnlySpan<byte> data, out string[] command, out int consumed)
    {
        command = [];
        consumed = 0;
        int lineEnd = data.IndexOf((byte)'\n');
        if (lineEnd < 0)
        {
            return false;
        }

        ReadOnlySpan<byte> line = data[..lineEnd].TrimEnd((byte)'\r');
        if (line.IsEmpty || line[0] != (byte)'*')
        {
            // Inline command (or a bare newline, which yields no arguments and is skipped).
            command = Encoding.UTF8.GetString(line).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            consumed = lineEnd + 1;
            return true;
        }

        if (!Utf8Parser.TryParse(line[1..], out int count, out _) || count is < 0 or > 1024)
        {
            throw new RedisFailureException(RedisFailureKind.ProtocolViolation, "the peer sent a malformed command header");
        }

        var arguments = new string[count];
        int offset = lineEnd + 1;
        for (int i = 0; i < count; i++)
        {
            int headerEnd = data[offset..].IndexOf("\r\n"u8);
            if (headerEnd < 0)
            {
                return false;
            }

            if (data[offset] != (byte)'$' || !Utf8Parser.TryParse(data.Slice(offset + 1, headerEnd - 1), out int length, out _) || length < 0)
            {
                throw new RedisFailureException(RedisFailureKind.ProtocolViolation, "the peer sent a malformed bulk string");
            }

            int valueStart = offset + headerEnd + 2;
            if (data.Length < valueStart + length + 2)
            {
                return false;
            }

            arguments[i] = Encoding.UTF8.GetString(data.Slice(valueStart, length));
            offset = valueStart + length + 2;
        }

        command = arguments;
        consumed = offset;
        return true;
    }

    private static long Number(ReadOnlySpan<byte> digits) =>
        Utf8Parser.TryParse(digits, out long value, out int used) && used == digits.Length
            ? value
            : throw new RedisFailureException(RedisFailureKind.ProtocolViolation, "malformed RESP length or integer");

    private static string Text(ReadOnlySpan<byte> line) => Encoding.UTF8.GetString(line);

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}

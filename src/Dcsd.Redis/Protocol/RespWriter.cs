using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Dcsd.Redis.Protocol;

/// <summary>
/// The one RESP writer. Encodes commands as RESP arrays of bulk strings into one pooled, growing buffer. The owner drains it to a stream
/// whenever <see cref="Length"/> passes its flush size, so the buffer stays around flush size + one command.
/// </summary>
internal sealed class RespWriter : IDisposable
{
    // "$" + 20 digits + CRLF: the longest header of a bulk string or array.
    private const int MaxHeaderLength = 24;

    private const int ShrinkAbove = 4 << 20;

    private readonly int _initialSize;
    private byte[] _buffer;
    private int _length;

    public RespWriter(int initialSize = 256 * 1024)
    {
        _initialSize = initialSize;
        _buffer = ArrayPool<byte>.Shared.Rent(initialSize);
    }

    public int Length => _length;

    public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, _length);

    /// <summary>Empties the buffer; one that grew for a big payload goes back to the pool so the growth is not kept.</summary>
    public void Clear()
    {
        _length = 0;
        if (_buffer.Length > ShrinkAbove)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(_initialSize);
        }
    }

    public void BeginCommand(int argumentCount)
    {
        Ensure(MaxHeaderLength);
        WriteHeader((byte)'*', argumentCount);
    }

    public void Bulk(ReadOnlySpan<byte> value) => value.CopyTo(ReserveBulk(value.Length));

    /// <summary>
    /// A bulk string of <paramref name="length"/> bytes that the caller writes into the returned span, e.g. a DUMP
    /// payload encoded straight into the buffer. The span is valid until the next call.
    /// </summary>
    public Span<byte> ReserveBulk(int length)
    {
        Ensure(MaxHeaderLength + length + 2);
        WriteHeader((byte)'$', length);
        Span<byte> value = _buffer.AsSpan(_length, length);
        _length += length;
        _buffer[_length++] = (byte)'\r';
        _buffer[_length++] = (byte)'\n';
        return value;
    }

    /// <summary>An ASCII argument such as a command name or option.</summary>
    public void Bulk(string ascii) => Encoding.ASCII.GetBytes(ascii, ReserveBulk(ascii.Length));

    public void Bulk(long number)
    {
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(number, digits, out int written);
        Bulk(digits[..written]);
    }

    /// <summary>Appends bytes already encoded as RESP (a command encoded once and sent to several nodes).</summary>
    public void Raw(ReadOnlySpan<byte> encoded)
    {
        Ensure(encoded.Length);
        encoded.CopyTo(_buffer.AsSpan(_length));
        _length += encoded.Length;
    }

    /// <summary>A whole command given as its arguments.</summary>
    public void Command(IReadOnlyList<byte[]> arguments)
    {
        BeginCommand(arguments.Count);
        for (int i = 0; i < arguments.Count; i++)
        {
            Bulk(arguments[i]);
        }
    }

    /// <summary>A command given as text arguments (control-plane commands; the data plane encodes bytes in place).</summary>
    public void Command(IReadOnlyList<string> arguments)
    {
        BeginCommand(arguments.Count);
        foreach (string argument in arguments)
        {
            Encoding.UTF8.GetBytes(argument, ReserveBulk(Encoding.UTF8.GetByteCount(argument)));
        }
    }

    /// <summary>A server's simple-string reply: "+OK", "+PONG", "+FULLRESYNC id offset".</summary>
    public void SimpleString(string text) => Line((byte)'+', text);

    /// <summary>A server's error reply; <paramref name="text"/> starts with its code (ERR, NOAUTH, WRONGPASS).</summary>
    public void Error(string text) => Line((byte)'-', text);

    /// <summary>The header of a bulk string whose bytes the caller then streams itself (an RDB sent to a replica).</summary>
    public void BulkHeader(long length)
    {
        Ensure(MaxHeaderLength);
        WriteHeader((byte)'$', length);
    }

    private void Line(byte prefix, string text)
    {
        Ensure(text.Length + 3);
        _buffer[_length++] = prefix;
        _length += Encoding.ASCII.GetBytes(text, _buffer.AsSpan(_length));
        _buffer[_length++] = (byte)'\r';
        _buffer[_length++] = (byte)'\n';
    }

    /// <summary>"*N\r\n" or "$N\r\n"; the caller has ensured room for it.</summary>
    private void WriteHeader(byte prefix, long count)
    {
        _buffer[_length++] = prefix;
        Utf8Formatter.TryFormat(count, _buffer.AsSpan(_length), out int written);
        _length += written;
        _buffer[_length++] = (byte)'\r';
        _buffer[_length++] = (byte)'\n';
    }

    private void Ensure(int more)
    {
        if (_length + more <= _buffer.Length)
        {
            return;
        }

        byte[] bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + more));
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        _length = 0;
    }
}

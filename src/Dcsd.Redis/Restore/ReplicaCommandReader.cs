using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Dcsd.Redis.Restore;

/// <summary>
/// Reads the commands a replica sends its master (PING, AUTH, REPLCONF, PSYNC/SYNC, later REPLCONF ACK): RESP arrays
/// of bulk strings, or inline lines. Arguments are short; anything over 64 KB is not a replica talking.
/// </summary>
internal sealed class ReplicaCommandReader : IDisposable
{
    private const int MaxCommandBytes = 64 * 1024;

    private readonly Stream _stream;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(MaxCommandBytes);
    private int _start;
    private int _end;

    public ReplicaCommandReader(Stream stream)
    {
        _stream = stream;
    }

    /// <summary>The next command's arguments, or null when the replica closed the connection.</summary>
    public async ValueTask<string[]?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (TryParse(_buffer.AsSpan(_start, _end - _start), out string[]? command, out int consumed))
            {
                _start += consumed;
                if (command!.Length > 0)
                {
                    return command;
                }

                continue;
            }

            if (_start > 0)
            {
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                _end -= _start;
                _start = 0;
            }

            if (_end == _buffer.Length)
            {
                throw new RestoreException(RestoreFailure.ProtocolViolation, "the replica sent a command longer than 64 KB");
            }

            int read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return null;
            }

            _end += read;
        }
    }

    private static bool TryParse(ReadOnlySpan<byte> data, out string[]? command, out int consumed)
    {
        command = null;
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
            throw new RestoreException(RestoreFailure.ProtocolViolation, "the replica sent a malformed command header");
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
                throw new RestoreException(RestoreFailure.ProtocolViolation, "the replica sent a malformed bulk string");
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

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}

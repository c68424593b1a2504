using System.Buffers.Binary;
using System.Globalization;
using Dcsd.Rdb;
using Dcsd.Redis.Protocol;

namespace Dcsd.Redis.Replication;

/// <summary>
/// Checks an RDB as it streams past, without buffering it: the REDISnnnn header up front, and at the end that
/// the file finishes with the EOF opcode 0xFF followed by the CRC64 of everything before the CRC.
/// The last 8 bytes seen are held back from the CRC because only the end of the stream tells they are the trailer.
/// </summary>
internal sealed class RdbStreamVerifier
{
    private const int HeaderLength = 9;
    private const int TrailerLength = 8;
    private const byte EofOpcode = 0xFF;

    // The CRC trailer exists since RDB version 5 (Redis 2.6).
    private const int FirstVersionWithChecksum = 5;

    private readonly byte[] _header = new byte[HeaderLength];
    private readonly byte[] _heldBack = new byte[TrailerLength];
    private int _heldBackLength;
    private ulong _crc;
    private byte _lastChecksummedByte;
    private long _length;

    public int Version { get; private set; }

    public long Length => _length;

    public void Append(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        if (_length < HeaderLength)
        {
            int headerBytes = (int)Math.Min(HeaderLength - _length, data.Length);
            data[..headerBytes].CopyTo(_header.AsSpan((int)_length));
            if (_length + headerBytes == HeaderLength)
            {
                Version = ParseHeader(_header);
            }
        }

        _length += data.Length;
        if (data.Length >= TrailerLength)
        {
            Checksum(_heldBack.AsSpan(0, _heldBackLength));
            Checksum(data[..^TrailerLength]);
            data[^TrailerLength..].CopyTo(_heldBack);
            _heldBackLength = TrailerLength;
            return;
        }

        // Fewer than 8 new bytes: the oldest held-back bytes are now certainly not part of the trailer.
        int overflow = Math.Max(0, _heldBackLength + data.Length - TrailerLength);
        Checksum(_heldBack.AsSpan(0, overflow));
        _heldBack.AsSpan(overflow, _heldBackLength - overflow).CopyTo(_heldBack);
        _heldBackLength -= overflow;
        data.CopyTo(_heldBack.AsSpan(_heldBackLength));
        _heldBackLength += data.Length;
    }

    /// <summary>Call once the transfer has ended; returns whether a (non-zero, matching) checksum was present.</summary>
    public bool Complete()
    {
        if (_length < HeaderLength + 1)
        {
            throw Corrupt($"the RDB is only {_length} bytes long");
        }

        if (Version < FirstVersionWithChecksum)
        {
            // Versions 1-4 end right after the EOF opcode.
            byte last = _heldBackLength > 0 ? _heldBack[_heldBackLength - 1] : _lastChecksummedByte;
            return last == EofOpcode ? false : throw Corrupt("the RDB does not end with the EOF opcode");
        }

        if (_length < HeaderLength + 1 + TrailerLength || _heldBackLength != TrailerLength)
        {
            throw Corrupt($"the RDB is only {_length} bytes long: too short for the EOF opcode and the CRC64 trailer");
        }

        if (_lastChecksummedByte != EofOpcode)
        {
            throw Corrupt("the RDB does not end with the EOF opcode 0xFF followed by the CRC64: the file is truncated");
        }

        ulong stored = BinaryPrimitives.ReadUInt64LittleEndian(_heldBack);
        if (stored == 0)
        {
            return false; // Saved with rdbchecksum no.
        }

        return stored == _crc
            ? true
            : throw Corrupt(string.Create(CultureInfo.InvariantCulture, $"CRC64 mismatch: the trailer says {stored:x16}, the data gives {_crc:x16}"));
    }

    private void Checksum(ReadOnlySpan<byte> data)
    {
        if (!data.IsEmpty)
        {
            _crc = Crc64.Update(_crc, data);
            _lastChecksummedByte = data[^1];
        }
    }

    private static int ParseHeader(ReadOnlySpan<byte> header)
    {
        if (!header[..5].SequenceEqual("REDIS"u8))
        {
            throw Corrupt("the payload does not start with the REDIS magic");
        }

        int version = 0;
        foreach (byte digit in header[5..])
        {
            if (digit is < (byte)'0' or > (byte)'9')
            {
                throw Corrupt("the RDB version in the header is not four decimal digits");
            }

            version = (version * 10) + (digit - '0');
        }

        return version >= 1 ? version : throw Corrupt("the RDB header has version 0");
    }

    private static RedisFailureException Corrupt(string message) => new(RedisFailureKind.Corrupt, message);
}

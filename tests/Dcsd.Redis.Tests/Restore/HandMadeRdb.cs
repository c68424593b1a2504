using System.Buffers.Binary;
using System.Text;
using Dcsd.Rdb;

namespace Dcsd.Redis.Tests.Restore;

/// <summary>Writes small RDB files by hand, for types a Redis 7.0 server cannot produce (RDB 11 set listpacks, RDB 12 hash field TTLs).</summary>
internal sealed class HandMadeRdb
{
    private readonly MemoryStream _body = new();

    public HandMadeRdb(int version)
    {
        Write(Encoding.ASCII.GetBytes($"REDIS{version:D4}"));
    }

    public HandMadeRdb SelectDb(int db)
    {
        _body.WriteByte(0xFE);
        Length(db);
        return this;
    }

    public HandMadeRdb String(string key, string value)
    {
        _body.WriteByte((byte)RdbObjectType.String);
        Str(key);
        Str(value);
        return this;
    }

    public HandMadeRdb SetListpack(string key, params string[] members)
    {
        _body.WriteByte((byte)RdbObjectType.SetListpack);
        Str(key);
        Blob(Listpack(members.Select(m => StringElement(m))));
        return this;
    }

    /// <summary>Type 25: a listpack hash whose fields carry absolute expiry times (Redis 7.4+).</summary>
    public HandMadeRdb HashWithFieldTtl(string key, string field, string value, long expiresAtMs)
    {
        _body.WriteByte((byte)RdbObjectType.HashListpackTtl);
        Str(key);
        Span<byte> minExpire = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(minExpire, expiresAtMs);
        Write(minExpire);
        var ttl = new byte[9];
        ttl[0] = 0xF4;
        BinaryPrimitives.WriteInt64LittleEndian(ttl.AsSpan(1), expiresAtMs);
        Blob(Listpack([StringElement(field), StringElement(value), ttl]));
        return this;
    }

    public void SaveTo(string path)
    {
        _body.WriteByte(0xFF);
        ulong crc = Crc64.Compute(_body.GetBuffer().AsSpan(0, (int)_body.Length));
        Span<byte> footer = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(footer, crc);
        Write(footer);
        File.WriteAllBytes(path, _body.ToArray());
    }

    private static byte[] StringElement(string text)
    {
        byte[] data = Encoding.ASCII.GetBytes(text);
        if (data.Length > 63)
        {
            throw new ArgumentException("short strings only", nameof(text));
        }

        return [(byte)(0x80 | data.Length), .. data];
    }

    private static byte[] Listpack(IEnumerable<byte[]> elements)
    {
        var entries = new MemoryStream();
        int count = 0;
        foreach (byte[] element in elements)
        {
            entries.Write(element);
            entries.WriteByte((byte)element.Length); // backlen: every element here is under 128 bytes
            count++;
        }

        var listpack = new byte[6 + entries.Length + 1];
        BinaryPrimitives.WriteUInt32LittleEndian(listpack, (uint)listpack.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(listpack.AsSpan(4), (ushort)count);
        entries.ToArray().CopyTo(listpack, 6);
        listpack[^1] = 0xFF;
        return listpack;
    }

    private void Str(string text) => Blob(Encoding.ASCII.GetBytes(text));

    private void Blob(byte[] data)
    {
        Length(data.Length);
        Write(data);
    }

    private void Length(int length)
    {
        if (length < 64)
        {
            _body.WriteByte((byte)length);
        }
        else
        {
            _body.WriteByte((byte)(0x40 | (length >> 8)));
            _body.WriteByte((byte)length);
        }
    }

    private void Write(ReadOnlySpan<byte> bytes) => _body.Write(bytes);
}

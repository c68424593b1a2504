namespace Dcsd.Rdb.Primitives;

/// <summary>liblzf decompression (lzf_d.c), as used for RDB strings and compressed quicklist nodes.</summary>
internal static class Lzf
{
    /// <summary>The largest expansion one compressed byte can produce: a 3-byte back reference yields 264 bytes.</summary>
    internal const int MaxExpansionRatio = 90;

    /// <summary>Decompresses into <paramref name="output"/>; returns false on a malformed input or a size mismatch.</summary>
    public static bool TryDecompress(ReadOnlySpan<byte> input, Span<byte> output)
    {
        int ip = 0;
        int op = 0;
        while (ip < input.Length)
        {
            int ctrl = input[ip++];
            if (ctrl < 32)
            {
                int run = ctrl + 1;
                if (ip + run > input.Length || op + run > output.Length)
                {
                    return false;
                }

                input.Slice(ip, run).CopyTo(output[op..]);
                ip += run;
                op += run;
            }
            else
            {
                int len = ctrl >> 5;
                if (len == 7)
                {
                    if (ip >= input.Length)
                    {
                        return false;
                    }

                    len += input[ip++];
                }

                if (ip >= input.Length)
                {
                    return false;
                }

                int reference = op - ((ctrl & 0x1F) << 8) - 1 - input[ip++];
                len += 2;
                if (reference < 0 || op + len > output.Length)
                {
                    return false;
                }

                if (op - reference >= len)
                {
                    output.Slice(reference, len).CopyTo(output[op..]);
                    op += len;
                }
                else
                {
                    // Overlapping copy repeats the pattern: it must go byte by byte.
                    for (int i = 0; i < len; i++)
                    {
                        output[op++] = output[reference++];
                    }
                }
            }
        }

        return op == output.Length;
    }

    /// <summary>
    /// Reads the rest of a back reference after its control byte, for the streaming readers: the bytes to copy and how far
    /// back they start in the output.
    /// </summary>
    internal static (int Length, int Distance) ReadBackReference(RdbInput input, int ctrl, ref long remaining, long start)
    {
        int length = ctrl >> 5;
        if (length == 7)
        {
            if (remaining < 1)
            {
                throw input.Error("LZF back reference truncated", start);
            }

            length += input.ReadByte();
            remaining--;
        }

        if (remaining < 1)
        {
            throw input.Error("LZF back reference truncated", start);
        }

        int distance = ((ctrl & 0x1F) << 8) + 1 + input.ReadByte();
        remaining--;
        return (length + 2, distance);
    }

    /// <summary>
    /// Checks a compressed stream of <paramref name="compressedLength"/> bytes without producing output:
    /// only the output position matters for validity, so any size is checked in constant memory.
    /// </summary>
    public static void Validate(RdbInput input, long compressedLength, long expectedLength)
    {
        long start = input.Offset;
        long remaining = compressedLength;
        long op = 0;
        while (remaining > 0)
        {
            int ctrl = input.ReadByte();
            remaining--;
            if (ctrl < 32)
            {
                int run = ctrl + 1;
                if (run > remaining)
                {
                    throw input.Error("LZF literal run past the end of the compressed data", start);
                }

                input.Skip(run);
                remaining -= run;
                op += run;
            }
            else
            {
                var (len, distance) = Lzf.ReadBackReference(input, ctrl, ref remaining, start);
                if (distance > op)
                {
                    throw input.Error("LZF back reference before the start of the output", start);
                }

                op += len;
            }

            if (op > expectedLength)
            {
                throw input.Error($"LZF data expands beyond its declared length {expectedLength}", start);
            }
        }

        if (op != expectedLength)
        {
            throw input.Error($"LZF data expands to {op} bytes, declared {expectedLength}", start);
        }
    }
}

/// <summary>
/// Streams LZF output in pieces with an 8 KB history window (the farthest an LZF back reference reaches),
/// so a compressed value of any size is decoded in constant memory.
/// </summary>
internal sealed class LzfStreamDecoder
{
    private const int Window = 8192 + 256;
    private const int OutputSize = 1 << 16;
    private readonly byte[] _output = new byte[OutputSize + Window + 300];

    public IEnumerable<ReadOnlyMemory<byte>> Decode(RdbInput input, long compressedLength, long expectedLength)
    {
        long start = input.Offset;
        long remaining = compressedLength;
        long produced = 0;
        int op = 0;
        int emitFrom = 0;
        while (remaining > 0)
        {
            if (op >= OutputSize + Window)
            {
                yield return _output.AsMemory(emitFrom, op - emitFrom);
                Buffer.BlockCopy(_output, op - Window, _output, 0, Window);
                op = Window;
                emitFrom = Window;
            }

            int ctrl = input.ReadByte();
            remaining--;
            if (ctrl < 32)
            {
                int run = ctrl + 1;
                if (run > remaining)
                {
                    throw input.Error("LZF literal run past the end of the compressed data", start);
                }

                input.ReadExactly(_output.AsSpan(op, run));
                remaining -= run;
                op += run;
                produced += run;
            }
            else
            {
                var (len, distance) = Lzf.ReadBackReference(input, ctrl, ref remaining, start);
                if (distance > produced || distance > op)
                {
                    throw input.Error("LZF back reference before the start of the output", start);
                }

                int reference = op - distance;
                for (int i = 0; i < len; i++)
                {
                    _output[op++] = _output[reference++];
                }

                produced += len;
            }

            if (produced > expectedLength)
            {
                throw input.Error($"LZF data expands beyond its declared length {expectedLength}", start);
            }
        }

        if (produced != expectedLength)
        {
            throw input.Error($"LZF data expands to {produced} bytes, declared {expectedLength}", start);
        }

        if (op > emitFrom)
        {
            yield return _output.AsMemory(emitFrom, op - emitFrom);
        }
    }
}

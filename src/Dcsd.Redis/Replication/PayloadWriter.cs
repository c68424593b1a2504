using System.Security.Cryptography;
using System.Threading.Channels;

namespace Dcsd.Redis.Replication;

/// <summary>What the writer learned about the bytes it wrote.</summary>
internal sealed record WrittenPayload(long Bytes, int RdbVersion, string Sha256Hex, bool ChecksumPresent);

/// <summary>
/// Drains received chunks into the destination, hashing (SHA-256) and verifying (header, EOF opcode, CRC64)
/// them on the way. It runs beside the socket reader, so hashing and disk writes overlap with receiving.
/// </summary>
internal sealed class PayloadWriter
{
    private readonly ChannelReader<PayloadChunk> _input;
    private readonly ChunkBufferPool _pool;
    private readonly Stream _destination;
    private readonly IProgress<long>? _progress;

    public PayloadWriter(ChannelReader<PayloadChunk> input, ChunkBufferPool pool, Stream destination, IProgress<long>? progress)
    {
        _input = input;
        _pool = pool;
        _destination = destination;
        _progress = progress;
    }

    public async Task<WrittenPayload> RunAsync(CancellationToken cancellationToken)
    {
        var verifier = new RdbStreamVerifier();
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        while (await _input.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (_input.TryRead(out PayloadChunk chunk))
            {
                try
                {
                    var data = chunk.Buffer.AsMemory(0, chunk.Length);
                    verifier.Append(data.Span);
                    sha256.AppendData(data.Span);
                    await _destination.WriteAsync(data, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    _pool.Return(chunk.Buffer);
                }

                if (chunk.Length > 0)
                {
                    _progress?.Report(verifier.Length);
                }
            }
        }

        bool checksumPresent = verifier.Complete();
        await _destination.FlushAsync(cancellationToken).ConfigureAwait(false);
        return new WrittenPayload(verifier.Length, verifier.Version, Convert.ToHexStringLower(sha256.GetHashAndReset()), checksumPresent);
    }
}

using System.Diagnostics;
using System.Globalization;
using Dcsd.Testing;

namespace Dcsd.Rdb.Tests;

/// <summary>
/// Mutation fuzzing over the fixtures: truncation, bit flips, splices, huge lengths, inserted and deleted bytes.
/// Every case must end in success or an <see cref="RdbFormatException"/>, within a time and an allocation bound.
/// CI runs a bounded number of cases (about 15 s). To fuzz for hours by hand:
///   DCSD_RDB_FUZZ_CASES=50000000 DCSD_RDB_FUZZ_SECONDS=36000 DCSD_RDB_FUZZ_SEED=$RANDOM \
///   dotnet test tests/Dcsd.Rdb.Tests -c Release --filter FullyQualifiedName~FuzzTests
/// A failure names the seed and case number; rerun with that seed to reproduce it.
/// </summary>
public sealed class FuzzTests
{
    private const long AllocationBoundPerCase = 96L << 20;

    [Fact]
    public void Mutated_fixtures_fail_only_with_format_errors()
    {
        int cases = EnvInt("DCSD_RDB_FUZZ_CASES", 20_000);
        int seconds = EnvInt("DCSD_RDB_FUZZ_SECONDS", 15);
        int seed = EnvInt("DCSD_RDB_FUZZ_SEED", 20261128);
        byte[][] corpus = [.. Directory.EnumerateFiles(SharedFiles.RdbFixtures, "*.rdb", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(File.ReadAllBytes)
            .Where(b => b.Length <= 256 * 1024)];
        string current = "not started";
        int done = 0;
        int rejected = 0;
        Exception? failure = null;
        var worker = new Thread(
            () =>
            {
                try
                {
                    var random = new Random(seed);
                    var clock = Stopwatch.StartNew();
                    for (int n = 0; n < cases && clock.Elapsed.TotalSeconds < seconds; n++)
                    {
                        byte[] original = corpus[random.Next(corpus.Length)];
                        (byte[] input, string mutation) = Mutate(original, corpus, random);
                        current = $"seed {seed} case {n}: {mutation} of a {original.Length}-byte fixture";
                        long before = GC.GetAllocatedBytesForCurrentThread();
                        rejected += Run(input, current);
                        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                        if (allocated > AllocationBoundPerCase)
                        {
                            throw new InvalidOperationException($"{current}: allocated {allocated} bytes");
                        }

                        done++;
                    }
                }
                catch (Exception e)
                {
                    failure = e;
                }
            },
            maxStackSize: 16 << 20)
        { IsBackground = true };
        worker.Start();
        bool finished = worker.Join(TimeSpan.FromSeconds(seconds + 60));
        Assert.True(finished, $"hang: {current}");
        Assert.Null(failure);
        Assert.True(done >= Math.Min(cases, 500), $"only {done} cases ran");
        Assert.True(rejected > 0);
    }

    /// <summary>Verifies and fully decodes; returns 1 when rejected with a format error.</summary>
    private static int Run(byte[] input, string label)
    {
        int rejected = 0;
        try
        {
            RdbVerifier.Verify(new MemoryStream(input), new RdbVerifyOptions { MaxInMemoryBytes = 32 << 20, MaxBlobValidationBytes = 8 << 20 });
        }
        catch (RdbFormatException)
        {
            rejected = 1;
        }

        try
        {
            using var reader = new RdbReader(new MemoryStream(input), new RdbReaderOptions { MaxInMemoryBytes = 32 << 20, ChunkMaxItems = 16, ChunkMaxBytes = 4096 });
            int k = 0;
            while (reader.Read() is { } entry)
            {
                switch (k++ % 3)
                {
                    case 0:
                        foreach (RdbValueChunk chunk in entry.ReadChunks())
                        {
                            _ = chunk;
                        }

                        break;
                    case 1:
                        RdbValue value = entry.ReadValue(256);
                        foreach (RdbValueChunk chunk in value.Chunks ?? [])
                        {
                            _ = chunk;
                        }

                        break;
                    default:
                        entry.ReadDumpPayload();
                        break;
                }
            }
        }
        catch (RdbFormatException)
        {
            rejected = 1;
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"{label}: {e.GetType().Name}: {e.Message}", e);
        }

        return rejected;
    }

    private static (byte[] Input, string Mutation) Mutate(byte[] original, byte[][] corpus, Random random)
    {
        byte[] data = (byte[])original.Clone();
        int at = random.Next(Math.Max(1, data.Length));
        switch (random.Next(7))
        {
            case 0:
                return (data[..at], $"truncate at {at}");
            case 1:
            {
                int flips = 1 + random.Next(8);
                for (int i = 0; i < flips; i++)
                {
                    int p = random.Next(data.Length);
                    data[p] ^= (byte)(1 << random.Next(8));
                }

                return (data, $"flip {flips} bits");
            }

            case 2:
            {
                byte[] donor = corpus[random.Next(corpus.Length)];
                int from = random.Next(donor.Length);
                int length = Math.Min(donor.Length - from, 1 + random.Next(64));
                return ([.. data[..at], .. donor.AsSpan(from, length), .. data[Math.Min(data.Length, at + random.Next(64))..]], $"splice {length} bytes at {at}");
            }

            case 3:
            {
                // A huge length: 32-bit or 64-bit big-endian form, or a huge 6/14-bit form.
                byte[] huge = random.Next(3) switch
                {
                    0 => [0x80, 0xFF, 0xFF, 0xFF, (byte)random.Next(256)],
                    1 => [0x81, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, (byte)random.Next(256)],
                    _ => [0x7F, 0xFF],
                };
                int end = Math.Min(data.Length, at + huge.Length);
                return ([.. data[..at], .. huge, .. data[end..]], $"huge length at {at}");
            }

            case 4:
            {
                byte[] noise = new byte[1 + random.Next(16)];
                random.NextBytes(noise);
                return ([.. data[..at], .. noise, .. data[at..]], $"insert {noise.Length} bytes at {at}");
            }

            case 5:
            {
                int length = Math.Min(data.Length - at, 1 + random.Next(32));
                return ([.. data[..at], .. data[(at + length)..]], $"delete {length} bytes at {at}");
            }

            default:
            {
                int p = random.Next(data.Length);
                data[p] = (byte)random.Next(256);
                return (data, $"set byte {p}");
            }
        }
    }

    private static int EnvInt(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : fallback;
}

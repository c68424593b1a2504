using Dcsd.Rdb.Census;
using Dcsd.Rdb.Reading;

namespace Dcsd.Rdb;

/// <summary>Full structural verification of an RDB stream with its CRC64, in memory independent of file and value size.</summary>
public static class RdbVerifier
{
    /// <summary>
    /// Parses the whole stream and checks the checksum. Throws <see cref="RdbFormatException"/> on any defect.
    /// The parser reads the stream synchronously in large blocks on a pool thread; pass a PipeReader as
    /// <c>reader.AsStream()</c>.
    /// </summary>
    public static Task<RdbCensus> VerifyAsync(Stream rdb, RdbVerifyOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rdb);
        return Task.Run(() => Verify(rdb, options, cancellationToken), cancellationToken);
    }

    /// <summary>The synchronous form of <see cref="VerifyAsync"/>.</summary>
    // Hot path of every verification: compile optimized at once instead of running tier-0 code through a short CLI run.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static RdbCensus Verify(Stream rdb, RdbVerifyOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rdb);
        options ??= new RdbVerifyOptions();
        var settings = new RdbParserSettings
        {
            AllowEnterpriseOpcodes = options.AllowEnterpriseOpcodes,
            MaxBlobValidationBytes = options.MaxBlobValidationBytes,
            MaxInMemoryBytes = options.MaxInMemoryBytes,
        };
        using var parser = new RdbParser(rdb, settings, cancellationToken);
        var census = new CensusBuilder(options.LargestKeys, (options.Now ?? DateTimeOffset.UtcNow).ToUnixTimeMilliseconds());
        parser.ReadHeader();
        int sinceCancellationCheck = 0;
        while (true)
        {
            parser.SkipShortStringRun(census);
            if (!parser.NextKey())
            {
                break;
            }

            long elements = parser.SkipValue();
            census.Add(parser, elements, parser.Input.Offset - parser.KeyOffset);
            if (++sinceCancellationCheck == 4096)
            {
                sinceCancellationCheck = 0;
                cancellationToken.ThrowIfCancellationRequested();
            }
        }

        return census.Build(parser);
    }
}

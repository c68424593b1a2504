using Dcsd.Testing;

namespace Dcsd.Rdb.Tests;

/// <summary>Every fixture file is verified: the good ones pass, the deliberately broken ones fail with a typed, located error.</summary>
public sealed class FixtureVerificationTests
{
    /// <summary>Fixtures that must fail, with a phrase the error must contain.</summary>
    private static readonly Dictionary<string, string> ExpectedFailures = new(StringComparer.Ordinal)
    {
        ["redis/corrupt_ziplist.rdb"] = "ziplist",
        ["librdb/redis_ent_opcode_ram_lru.rdb"] = "unknown opcode or object type 107",
        ["librdb/invalid_chksum_v8.rdb"] = "checksum mismatch",
        ["librdb/future_v19.rdb"] = "RDB version 99 is newer",
    };

    public static TheoryData<string> AllFixtures()
    {
        var data = new TheoryData<string>();
        foreach (string path in Directory.EnumerateFiles(SharedFiles.RdbFixtures, "*", SearchOption.AllDirectories)
            .Where(p => p.EndsWith(".rdb", StringComparison.Ordinal) || p.EndsWith(".aof", StringComparison.Ordinal))
            .Select(p => Path.GetRelativePath(SharedFiles.RdbFixtures, p))
            .Where(p => !p.EndsWith("memory.aof", StringComparison.Ordinal) && !p.Contains("hfe.aof", StringComparison.Ordinal) && !p.EndsWith("regex.aof", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal))
        {
            data.Add(path);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllFixtures))]
    public async Task Fixture_verifies_or_fails_as_expected(string relativePath)
    {
        await using FileStream file = File.OpenRead(Path.Combine(SharedFiles.RdbFixtures, relativePath));
        if (ExpectedFailures.TryGetValue(relativePath, out string? phrase))
        {
            var error = await Assert.ThrowsAsync<RdbFormatException>(() => RdbVerifier.VerifyAsync(file));
            Assert.Contains(phrase, error.Message, StringComparison.Ordinal);
            Assert.InRange(error.Offset, 0, file.Length);
            return;
        }

        RdbCensus census = await RdbVerifier.VerifyAsync(file);
        Assert.Equal(file.Length, census.Bytes + census.TrailingBytes);
        Assert.Equal(census.TotalKeys, census.Databases.Sum(d => d.Keys));
    }

    [Fact]
    public async Task Enterprise_opcodes_are_skipped_when_allowed()
    {
        await using FileStream file = File.OpenRead(Path.Combine(SharedFiles.RdbFixtures, "librdb/redis_ent_opcode_ram_lru.rdb"));
        RdbCensus census = await RdbVerifier.VerifyAsync(file, new RdbVerifyOptions { AllowEnterpriseOpcodes = true });
        Assert.True(census.ChecksumVerified);
    }
}

using Dcsd.Redis.Protocol;
using Dcsd.Redis.Replication;

namespace Dcsd.Redis.Tests.Replication;

public sealed class RdbStreamVerifierTests
{
    [Fact]
    public void Every_way_of_splitting_a_valid_rdb_into_three_pieces_verifies()
    {
        byte[] rdb = FakeMaster.BuildRdb();
        for (int first = 0; first <= rdb.Length; first++)
        {
            for (int second = first; second <= rdb.Length; second++)
            {
                var verifier = new RdbStreamVerifier();
                verifier.Append(rdb.AsSpan(0, first));
                verifier.Append(rdb.AsSpan(first, second - first));
                verifier.Append(rdb.AsSpan(second));
                Assert.True(verifier.Complete());
                Assert.Equal(10, verifier.Version);
                Assert.Equal(rdb.Length, verifier.Length);
            }
        }
    }

    [Fact]
    public void A_zero_crc_means_checksum_disabled()
    {
        var verifier = new RdbStreamVerifier();
        verifier.Append(FakeMaster.BuildRdb(withChecksum: false));
        Assert.False(verifier.Complete());
    }

    [Fact]
    public void Any_flipped_byte_after_the_header_is_detected()
    {
        byte[] rdb = FakeMaster.BuildRdb();
        for (int i = 9; i < rdb.Length; i++)
        {
            byte[] corrupt = (byte[])rdb.Clone();
            corrupt[i] ^= 0x01;
            var verifier = new RdbStreamVerifier();
            verifier.Append(corrupt);
            var error = Assert.Throws<RedisFailureException>(() => verifier.Complete());
            Assert.Equal(RedisFailureKind.Corrupt, error.Kind);
        }
    }

    [Fact]
    public void A_truncated_rdb_is_corrupt()
    {
        byte[] rdb = FakeMaster.BuildRdb();
        for (int length = 0; length < rdb.Length; length++)
        {
            var verifier = new RdbStreamVerifier();
            verifier.Append(rdb.AsSpan(0, length));
            Assert.Equal(RedisFailureKind.Corrupt, Assert.Throws<RedisFailureException>(() => verifier.Complete()).Kind);
        }
    }

    [Theory]
    [InlineData("RESIS0010")]
    [InlineData("REDIS00x0")]
    [InlineData("REDIS0000")]
    public void A_bad_header_is_corrupt_as_soon_as_it_arrives(string header)
    {
        var verifier = new RdbStreamVerifier();
        var error = Assert.Throws<RedisFailureException>(() => verifier.Append(System.Text.Encoding.ASCII.GetBytes(header)));
        Assert.Equal(RedisFailureKind.Corrupt, error.Kind);
    }
}

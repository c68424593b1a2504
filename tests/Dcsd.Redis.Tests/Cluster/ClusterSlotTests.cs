using System.Text;
using Dcsd.Redis.Cluster;

namespace Dcsd.Redis.Tests.Cluster;

public sealed class ClusterSlotTests
{
    private static int Slot(string key) => ClusterSlot.Of(Encoding.UTF8.GetBytes(key));

    [Theory]
    [InlineData("123456789", 0x31C3)] // the CRC16/XMODEM check value, also in Redis' crc16.c
    [InlineData("", 0x0000)]
    [InlineData("A", 0x58E5)]
    public void Crc16MatchesTheXmodemVectors(string input, int expected) =>
        Assert.Equal(expected, ClusterSlot.Crc16(Encoding.ASCII.GetBytes(input)));

    [Theory]
    [InlineData("123456789", 12739)] // 0x31C3 & 16383
    [InlineData("foo", 12182)] // CLUSTER KEYSLOT foo on a real server
    [InlineData("bar", 5061)]
    [InlineData("hello", 866)]
    [InlineData("user:1000", 1649)]
    public void SlotsMatchRedis(string key, int expected) => Assert.Equal(expected, Slot(key));

    [Fact]
    public void HashTagsFollowRedisRules()
    {
        // The tag is the text between the first '{' and the first '}' after it.
        Assert.Equal(Slot("{user}1"), Slot("{user}2"));
        Assert.Equal(Slot("user"), Slot("{user}1"));
        Assert.Equal(Slot("user"), Slot("prefix{user}suffix"));

        // An empty tag does not count: the whole key is hashed.
        Assert.Equal(ClusterSlot.OfTag(Encoding.ASCII.GetBytes("{}user")), Slot("{}user"));
        Assert.NotEqual(Slot("user"), Slot("{}user"));

        // No closing brace: the whole key.
        Assert.Equal(ClusterSlot.OfTag(Encoding.ASCII.GetBytes("{user")), Slot("{user"));

        // Only the first '{' opens a tag, and the first '}' after it closes it: "{{a}}" has the tag "{a".
        Assert.Equal(Slot("{a"), ClusterSlot.OfTag(Encoding.ASCII.GetBytes("{a")));
        Assert.Equal(ClusterSlot.OfTag(Encoding.ASCII.GetBytes("{a")), Slot("{{a}}"));
        Assert.Equal(Slot("a"), Slot("x{a}{b}"));

        // "{}{a}": the first tag is empty, so the whole key is hashed (not "a").
        Assert.Equal(ClusterSlot.OfTag(Encoding.ASCII.GetBytes("{}{a}")), Slot("{}{a}"));
    }

    [Fact]
    public async Task SlotsAgreeWithClusterKeyslotOnARealServer()
    {
        await using var server = await Dcsd.Testing.TestRedis.StartAsync(configLines: ["cluster-enabled yes", "cluster-config-file nodes.conf"]);
        var random = new Random(7);
        var keys = new List<byte[]> { "{}"u8.ToArray(), "{"u8.ToArray(), "}{x}"u8.ToArray(), "a{b}{c}"u8.ToArray(), new byte[] { 0, 255, (byte)'{', 1, (byte)'}' } };
        for (int i = 0; i < 300; i++)
        {
            var key = new byte[random.Next(0, 24)];
            random.NextBytes(key);
            if (key.Length > 4 && i % 3 == 0)
            {
                key[1] = (byte)'{';
                key[random.Next(2, key.Length)] = (byte)'}';
            }

            keys.Add(key);
        }

        foreach (byte[] key in keys)
        {
            var expected = (long)await server.Db().ExecuteAsync("CLUSTER", "KEYSLOT", key);
            Assert.Equal(expected, ClusterSlot.Of(key));
        }
    }
}

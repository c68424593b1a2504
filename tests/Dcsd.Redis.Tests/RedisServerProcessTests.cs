using Dcsd.Testing;

namespace Dcsd.Redis.Tests;

public sealed class RedisServerProcessTests
{
    [Fact]
    public async Task Starts_with_a_password_on_loopback_and_stops()
    {
        await using var redis = await TestRedis.StartAsync(password: "s3cret pass\"word");
        await redis.Db().StringSetAsync("k", "v");
        Assert.Equal("v", await redis.Db().StringGetAsync("k"));
        var bind = await redis.Admin.ConfigGetAsync("bind");
        Assert.Equal("127.0.0.1", bind.Single().Value);
        await redis.Server.StopAsync();
        Assert.True(redis.Server.HasExited);
    }
}

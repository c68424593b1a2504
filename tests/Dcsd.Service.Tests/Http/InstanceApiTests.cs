namespace Dcsd.Service.Tests.Http;

public sealed class InstanceApiTests : IAsyncLifetime
{
    private const string P = DcsdTestServer.Project;
    private DcsdTestServer _dcsd = null!;

    public async Task InitializeAsync() => _dcsd = await DcsdTestServer.StartAsync();

    public async Task DisposeAsync() => await _dcsd.DisposeAsync();

    [Fact]
    public async Task Creates_a_master_standby_instance_that_runs_and_is_shown_in_both_api_versions()
    {
        var (status, body, response) = await _dcsd.SendAsync(HttpMethod.Post, $"/v2/{P}/instances", """
            {"name":"orders","engine":"Redis","engine_version":"7.0","capacity":0.5,"spec_code":"redis.ha.xu1.large.r2.1",
             "password":"Secret-123","az_codes":["az1"],"vpc_id":"vpc","subnet_id":"subnet","security_group_id":"sg","enterprise_project_id":"0"}
            """);
        Assert.Equal(200, status);
        Assert.True(response.Headers.Contains("X-Request-Id"));
        string id = (string)body!["instances"]![0]!["instance_id"]!;
        Assert.True(Guid.TryParse(id, out _));
        Assert.Equal("orders", (string)body["instances"]![0]!["instance_name"]!);

        var running = await _dcsd.WaitInstanceAsync(id, "RUNNING");
        Assert.Equal("ha", (string)running["cache_mode"]!);
        Assert.Equal("Redis", (string)running["engine"]!);
        Assert.Equal("redis.ha.xu1.large.r2.1", (string)running["spec_code"]!);
        Assert.Equal("127.0.0.1", (string)running["ip"]!);
        Assert.Equal("0.5", (string)running["capacity_minor"]!);
        Assert.Equal(512, (long)running["max_memory"]!);
        Assert.Null(running["task"]);

        var v1 = await _dcsd.OkAsync(HttpMethod.Get, $"/v1.0/{P}/instances/{id}");
        Assert.Equal(id, (string)v1["instance_id"]!);
        var list = await _dcsd.OkAsync(HttpMethod.Get, $"/v2/{P}/instances");
        Assert.Equal(1, (int)list["instance_num"]!);

        // The password reaches the nodes, and never a response.
        Assert.DoesNotContain("Secret-123", running.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Secret-123", list.ToJsonString(), StringComparison.Ordinal);
        await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{(int)running["port"]!},password=Secret-123");
        Assert.Equal("PONG", (await redis.GetDatabase().ExecuteAsync("PING")).ToString());

        // Hardened like a managed service: loopback only, protected mode, no DEBUG unless asked for.
        Assert.Equal("127.0.0.1", (await redis.GetDatabase().ExecuteAsync("CONFIG", "GET", "bind")).ToDictionary()["bind"].ToString());
        Assert.Equal("yes", (await redis.GetDatabase().ExecuteAsync("CONFIG", "GET", "protected-mode")).ToDictionary()["protected-mode"].ToString());
        var debug = await Assert.ThrowsAsync<StackExchange.Redis.RedisServerException>(() => redis.GetDatabase().ExecuteAsync("DEBUG", "SLEEP", "0"));
        Assert.Contains("DEBUG command not allowed", debug.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_v1_create_shape_works_and_delete_removes_the_instance()
    {
        var created = await _dcsd.OkAsync(HttpMethod.Post, $"/v1.0/{P}/instances", """
            {"name":"legacy","engine":"Redis","engine_version":"5.0","capacity":1,"resource_spec_code":"dcs.single_node","password":"Legacy-123",
             "vpc_id":"v","security_group_id":"s","subnet_id":"n","available_zones":["az"],"product_id":"OTC_DCS_SINGLE-0","no_password_access":"false"}
            """);
        string id = (string)created["instance_id"]!;
        var instance = await _dcsd.WaitInstanceAsync(id, "RUNNING");
        Assert.Equal("single", (string)instance["cache_mode"]!);

        var (status, _, _) = await _dcsd.SendAsync(HttpMethod.Delete, $"/v2/{P}/instances/{id}");
        Assert.Equal(204, status);
        var (after, error, _) = await _dcsd.SendAsync(HttpMethod.Get, $"/v2/{P}/instances/{id}");
        Assert.Equal(404, after);
        Assert.Equal("DCS.3022", (string)error!["error_code"]!);
        var (v1Status, v1Error, _) = await _dcsd.SendAsync(HttpMethod.Get, $"/v1.0/{P}/instances/{id}");
        Assert.Equal(404, v1Status);
        Assert.Equal("111404022", (string)v1Error!["error"]!["code"]!);
    }

    [Theory]
    [InlineData("", "DCS.4004")]
    [InlineData("{not json", "DCS.4005")]
    [InlineData("[1,2]", "DCS.4005")]
    [InlineData("""{"name":"x","spec_code":"redis.ha.a.b","capacity":"big"}""", "DCS.4062")]
    [InlineData("""{"name":"x","spec_code":"memcached.ha.a"}""", "DCS.4062")]
    [InlineData("""{"spec_code":"redis.ha.a.b"}""", "DCS.4062")]
    [InlineData("""{"name":"x","spec_code":"redis.ha.a.b","engine":"Memcached"}""", "DCS.4062")]
    [InlineData("""{"name":"x","spec_code":"redis.ha.a.b","capacity":-1}""", "DCS.4062")]
    public async Task Bad_create_bodies_get_flat_dcs_errors(string body, string code)
    {
        var (status, error, _) = await _dcsd.SendAsync(HttpMethod.Post, $"/v2/{P}/instances", body);
        Assert.Equal(400, status);
        Assert.Equal(code, (string)error!["error_code"]!);
        Assert.False(string.IsNullOrEmpty((string)error["error_msg"]!));
        Assert.True(error.AsObject().ContainsKey("error_ext_msg"));
    }

    [Fact]
    public async Task Bad_ids_unknown_routes_and_wrong_methods_get_dcs_errors()
    {
        var (s1, e1, _) = await _dcsd.SendAsync(HttpMethod.Get, $"/v2/{P}/instances/not-a-uuid");
        Assert.Equal((400, "DCS.4061"), (s1, (string)e1!["error_code"]!));
        var (s2, e2, _) = await _dcsd.SendAsync(HttpMethod.Get, $"/v1.0/{P}/instances/{Guid.NewGuid()}");
        Assert.Equal((404, "111404022"), (s2, (string)e2!["error"]!["code"]!));
        var (s3, e3, _) = await _dcsd.SendAsync(HttpMethod.Get, $"/v2/{P}/nothing/here");
        Assert.Equal((404, "DCS.4001"), (s3, (string)e3!["error_code"]!));
        var (s4, e4, _) = await _dcsd.SendAsync(HttpMethod.Put, $"/v2/{P}/instances/{Guid.NewGuid()}/backups");
        Assert.Equal((405, "DCS.5001"), (s4, (string)e4!["error_code"]!));
        // A project the credential does not belong to is refused before anything is looked up.
        var (s5, e5, _) = await _dcsd.SendAsync(HttpMethod.Get, "/v2/another-project/instances");
        Assert.Equal((401, "DCS.1004"), (s5, (string)e5!["error_code"]!));
    }
}

using System.Text;
using System.Text.Json.Nodes;
using Dcsd.Service.Security;

namespace Dcsd.Service.Tests.Http;

/// <summary>
/// Several hundred malformed requests (bodies, paths, query strings, headers) thrown at every route: none may answer 5xx,
/// and every error must be in the DCS shape of its API version.
/// </summary>
public sealed class MalformedRequestTests : IAsyncLifetime
{
    private const string P = DcsTestClient.Project;
    private DcsdTestServer _dcsd = null!;
    private string _instanceId = null!;

    public async Task InitializeAsync()
    {
        _dcsd = await DcsdTestServer.StartAsync();
        _instanceId = (string)(await _dcsd.CreateRunningInstanceAsync())["instance_id"]!;
    }

    public async Task DisposeAsync() => await _dcsd.DisposeAsync();

    private static readonly string[] Bodies =
    [
        "", " ", "{", "}", "[]", "null", "123", "\"text\"", "{\"remark\":123}", "{\"remark\":null}", "{\"remark\":{}}",
        "{\"backup_format\":7}", "{\"backup_format\":\"zip\"}", "{\"name\":{}}", "{\"capacity\":1e999}", "{\"capacity\":\"1\"}",
        "{\"spec_code\":[]}", "{\"backup_id\":[]}", "{\"backup_id\":\"not-a-uuid\"}", "{\"no_password_access\":5}",
        new string('[', 5000), "{\"remark\":\"" + new string('x', 300_000) + "\"}", "{\"a\":1,}", "{'remark':'x'}", "\u0000",
        "{\"remark\":\"\\ud800\"}", "{\"name\":\"" + new string('n', 65) + "\"}", "{\"password\":\"a\\u0000b\",\"name\":\"x\",\"spec_code\":\"redis.ha.a\"}",
    ];

    // A NUL byte in the path (%00) is refused by Kestrel's HTTP parser with a bare 400 before any of dcsd's code runs, so it is not listed.
    private static readonly string[] BadIds = ["x", "..", "%2e%2e", "%ff", "%20", new string('a', 3000), "{" + Guid.Empty + "}", "12345678-1234-1234-1234-12345678901g", "\u00e9"];

    private static readonly string[] BadQueries =
    [
        "limit=-1", "limit=abc", "limit=0", "limit=1001", "limit=99999999999999999999", "offset=-5", "offset=1e10", "start=0", "start=x",
        "begin_time=2025", "end_time=abcdefghijklmn", "begin_time=20251301000000", "limit=1&limit=2", "offset=%ff", "begin_time=",
    ];

    private IEnumerable<(HttpMethod Method, string Path)> Routes(string version)
    {
        string i = $"/{version}/{P}/instances";
        string b = $"{i}/{_instanceId}/backups";
        return
        [
            (HttpMethod.Post, i), (HttpMethod.Get, i), (HttpMethod.Get, $"{i}/{_instanceId}"), (HttpMethod.Post, b), (HttpMethod.Get, b),
            (HttpMethod.Delete, $"{b}/{Guid.NewGuid()}"), (HttpMethod.Put, $"{i}/{_instanceId}"), (HttpMethod.Patch, b),
            (HttpMethod.Post, $"/{version}/{P}/migration-task"), (HttpMethod.Get, $"/{version}/{P}/migration-task/{Guid.NewGuid()}"),
            (HttpMethod.Get, $"/{version}/{P}/migration-tasks"), (HttpMethod.Delete, $"/{version}/{P}/migration-tasks/delete"),
        ];
    }

    [Fact]
    public async Task No_malformed_request_gets_a_5xx_and_every_error_is_dcs_shaped()
    {
        int sent = 0;
        foreach (string version in (string[])["v1.0", "v2"])
        {
            foreach (var (method, path) in Routes(version))
            {
                foreach (string body in Bodies)
                {
                    await AssertDcsShapedAsync(method, path, body, version);
                    sent++;
                }

                foreach (string query in BadQueries)
                {
                    await AssertDcsShapedAsync(method, path + "?" + query, null, version);
                    sent++;
                }
            }

            foreach (string id in BadIds)
            {
                foreach (string path in (string[])[$"/{version}/{P}/instances/{id}", $"/{version}/{P}/instances/{id}/backups", $"/{version}/{P}/instances/{_instanceId}/backups/{id}", $"/{version}/{P}/migration-task/{id}"])
                {
                    foreach (var method in (HttpMethod[])[HttpMethod.Get, HttpMethod.Post, HttpMethod.Delete])
                    {
                        await AssertDcsShapedAsync(method, path, method == HttpMethod.Post ? "{}" : null, version);
                        sent++;
                    }
                }
            }
        }

        // Odd bytes and headers: invalid UTF-8, a binary content type, a mismatching X-Project-Id.
        using (var request = new HttpRequestMessage(HttpMethod.Post, $"/v2/{P}/instances/{_instanceId}/backups") { Content = new ByteArrayContent([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]) })
        {
            await AssertResponseAsync(await _dcsd.Client.SendAsync(request), "v2");
            sent++;
        }

        Assert.True(sent >= 400, $"only {sent} malformed requests were sent");
        Console.WriteLine($"{sent} malformed requests, no 5xx");
    }

    [Fact]
    public async Task Unauthenticated_and_cross_project_requests_are_refused_in_the_dcs_shape()
    {
        using var anonymous = new HttpClient { BaseAddress = _dcsd.Client.BaseAddress };
        foreach (string version in (string[])["v1.0", "v2"])
        {
            foreach (var (method, path) in Routes(version))
            {
                var response = await anonymous.SendAsync(new HttpRequestMessage(method, path) { Content = new StringContent("{}") });
                Assert.Equal(401, (int)response.StatusCode);
                var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
                Assert.Equal(version == "v1.0" ? "111401003" : "DCS.1003", version == "v1.0" ? (string)body["error"]!["code"]! : (string)body["error_code"]!);
            }
        }

        // Another project's credential sees nothing of this project, not even that the instance exists.
        var other = await DcsdCredentials.CreateAsync(_dcsd.DataDirectory, "another-project");
        using var otherClient = new HttpClient(new TestSigningHandler(other)) { BaseAddress = _dcsd.Client.BaseAddress };
        var own = await otherClient.GetAsync($"/v2/another-project/instances/{_instanceId}");
        Assert.Equal(404, (int)own.StatusCode);
        Assert.Equal("DCS.3022", (string)JsonNode.Parse(await own.Content.ReadAsStringAsync())!["error_code"]!);
        var list = JsonNode.Parse(await (await otherClient.GetAsync("/v2/another-project/instances")).Content.ReadAsStringAsync())!;
        Assert.Equal(0, (int)list["instance_num"]!);
        var foreign = await otherClient.GetAsync($"/v2/{P}/instances/{_instanceId}");
        Assert.Equal(401, (int)foreign.StatusCode);
        Assert.Equal("DCS.1004", (string)JsonNode.Parse(await foreign.Content.ReadAsStringAsync())!["error_code"]!);
        var backup = await otherClient.PostAsync($"/v2/another-project/instances/{_instanceId}/backups", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(404, (int)backup.StatusCode);
    }

    private async Task AssertDcsShapedAsync(HttpMethod method, string path, string? body, string version)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        await AssertResponseAsync(await _dcsd.Client.SendAsync(request), version, $"{method} {path[..Math.Min(path.Length, 120)]} body {body?[..Math.Min(body.Length, 40)]}");
    }

    private static async Task AssertResponseAsync(HttpResponseMessage response, string version, string what = "")
    {
        using (response)
        {
            int status = (int)response.StatusCode;
            string text = await response.Content.ReadAsStringAsync();
            Assert.True(status < 500, $"{what} answered {status}: {text}");
            if (status < 400)
            {
                return;
            }

            JsonNode? json = null;
            try
            {
                json = JsonNode.Parse(text);
            }
            catch (System.Text.Json.JsonException)
            {
                // Reported by the assertion below with the request that caused it.
            }

            bool dcsShaped = version == "v1.0"
                ? json?["error"]?["code"] is not null && json["error"]!["message"] is not null
                : json?["error_code"] is not null && json["error_msg"] is not null;
            Assert.True(dcsShaped, $"{what} answered {status} without a DCS {version} error body: {text}");
            Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        }
    }
}

using System.Net;
using System.Text;
using System.Text.Json;
using Dcsd.Service.Security;
using static Dcsd.Service.Tests.Http.DcsAuthenticationIntegrationTests;
using Dcsd.Service.Http.Iam;
using Dcsd.Service.Tests.Security;

namespace Dcsd.Service.Tests.Http.Iam;

/// <summary>POST /v3/auth/tokens and X-Auth-Token, end to end over HTTP.</summary>
public sealed class IamTokenIntegrationTests
{
    private const string V2Ping = "/v2/" + SecurityTestServer.Project + "/ping";
    private const string V1Ping = "/v1.0/" + SecurityTestServer.Project + "/ping";

    [Fact]
    public async Task Password_token_is_accepted_until_it_expires_after_24_hours()
    {
        await using var server = await SecurityTestServer.StartAsync();

        var issued = await RequestTokenAsync(server, server.Credential.AccessKey, server.Credential.SecretKey, SecurityTestServer.Project);

        Assert.Equal(HttpStatusCode.Created, issued.Status);
        var token = Assert.Single(issued.Message.Headers.GetValues("X-Subject-Token"));
        var body = JsonDocument.Parse(issued.Body).RootElement.GetProperty("token");
        Assert.Equal(SecurityTestServer.Project, body.GetProperty("project").GetProperty("id").GetString());
        Assert.Equal("password", body.GetProperty("methods")[0].GetString());
        var expiresAt = DateTimeOffset.Parse(body.GetProperty("expires_at").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(server.Clock.Now.AddHours(24).ToUnixTimeSeconds(), expiresAt.ToUnixTimeSeconds());

        var ok = await server.SendAsync(WithToken(HttpMethod.Post, V2Ping, token, "{\"a\":1}"));
        Assert.Equal(HttpStatusCode.OK, ok.Status);
        Assert.Equal($"{SecurityTestServer.Project}|{server.Credential.AccessKey}|Token|{{\"a\":1}}", ok.Body);
        Assert.Equal(HttpStatusCode.OK, (await server.SendAsync(WithToken(HttpMethod.Get, V1Ping, token))).Status);

        server.Clock.Now = server.Clock.Now.AddHours(24).AddSeconds(1);
        AssertV2Error(await server.SendAsync(WithToken(HttpMethod.Get, V2Ping, token)), "DCS.1002", "Token expired.");
        AssertV1Error(await server.SendAsync(WithToken(HttpMethod.Get, V1Ping, token)), "111401002", "Token expired.");
        server.AssertNoSecretsLeaked();
    }

    [Fact]
    public async Task Token_is_scoped_to_its_project()
    {
        await using var server = await SecurityTestServer.StartAsync();
        var token = (await RequestTokenAsync(server, server.Credential.AccessKey, server.Credential.SecretKey, null)).Message.Headers.GetValues("X-Subject-Token").Single();

        var otherProject = await server.SendAsync(WithToken(HttpMethod.Get, "/v2/" + SecurityTestServer.OtherProject + "/ping", token));
        var request = WithToken(HttpMethod.Get, V2Ping, token);
        request.Headers.TryAddWithoutValidation("X-Project-Id", SecurityTestServer.OtherProject);
        var otherHeader = await server.SendAsync(request);

        AssertV2Error(otherProject, "DCS.1004", "Project ID does not match the token.");
        AssertV2Error(otherHeader, "DCS.1004", "Project ID does not match the token.");
    }

    [Fact]
    public async Task Unknown_or_malformed_token_is_401_DCS_1001()
    {
        await using var server = await SecurityTestServer.StartAsync();

        AssertV2Error(await server.SendAsync(WithToken(HttpMethod.Get, V2Ping, "not-a-token")), "DCS.1001", "Invalid token.");
        AssertV2Error(await server.SendAsync(WithToken(HttpMethod.Get, V2Ping, new string('a', 5000))), "DCS.1001", "Invalid token.");
    }

    [Fact]
    public async Task Wrong_password_unknown_user_and_foreign_scope_are_refused()
    {
        await using var server = await SecurityTestServer.StartAsync();
        server.RememberSecret("wrong-password-1234567890");

        var wrongPassword = await RequestTokenAsync(server, server.Credential.AccessKey, "wrong-password-1234567890", SecurityTestServer.Project);
        var unknownUser = await RequestTokenAsync(server, "NOSUCHACCESSKEY00000", server.Credential.SecretKey, SecurityTestServer.Project);
        var foreignScope = await RequestTokenAsync(server, server.Credential.AccessKey, server.Credential.SecretKey, SecurityTestServer.OtherProject);

        AssertV2Error(wrongPassword, "DCS.1001", "Invalid token.");
        AssertV2Error(unknownUser, "DCS.1001", "Invalid token.");
        AssertV2Error(foreignScope, "DCS.1004", "Project ID does not match the token.");
        Assert.False(wrongPassword.Message.Headers.Contains("X-Subject-Token"));
        server.AssertNoSecretsLeaked();
    }

    [Theory]
    [InlineData("", "DCS.4004")]
    [InlineData("{not json", "DCS.4005")]
    [InlineData("[1,2]", "DCS.4005")]
    public async Task Bad_token_request_bodies_are_400(string body, string code)
    {
        await using var server = await SecurityTestServer.StartAsync();

        var response = await server.SendAsync(new HttpRequestMessage(HttpMethod.Post, IamTokenEndpoints.Route) { Content = new StringContent(body, Encoding.UTF8, "application/json") });

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal(code, JsonDocument.Parse(response.Body).RootElement.GetProperty("error_code").GetString());
    }

    [Fact]
    public async Task Body_without_a_password_identity_is_401_DCS_1003()
    {
        await using var server = await SecurityTestServer.StartAsync();

        var response = await server.SendAsync(new HttpRequestMessage(HttpMethod.Post, IamTokenEndpoints.Route)
        {
            Content = new StringContent("{\"auth\":{\"identity\":{\"methods\":[]}}}", Encoding.UTF8, "application/json"),
        });

        AssertV2Error(response, "DCS.1003", "No token in the request.");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("{\"auth\":{\"identity\":{\"methods\":[]},\"scope\":{\"project\":{\"id\":\"" + SecurityTestServer.Project + "\"}}}}")]
    public async Task Signed_request_with_empty_identity_gets_a_token(string? body)
    {
        await using var server = await SecurityTestServer.StartAsync();

        var issued = await server.SendSignedAsync(HttpMethod.Post, IamTokenEndpoints.Route, server.Credential, body, projectHeader: null);

        Assert.Equal(HttpStatusCode.Created, issued.Status);
        var token = issued.Message.Headers.GetValues("X-Subject-Token").Single();
        Assert.Equal(HttpStatusCode.OK, (await server.SendAsync(WithToken(HttpMethod.Get, V2Ping, token))).Status);
        server.AssertNoSecretsLeaked();
    }

    [Fact]
    public async Task Badly_signed_token_request_is_refused()
    {
        await using var server = await SecurityTestServer.StartAsync();

        var response = await server.SendSignedAsync(HttpMethod.Post, IamTokenEndpoints.Route, server.Credential, "{}", projectHeader: null,
            secretKey: server.OtherCredential.SecretKey);

        AssertV2Error(response, "DCS.1001", "Invalid token.");
        Assert.False(response.Message.Headers.Contains("X-Subject-Token"));
    }

    [Fact]
    public async Task Signed_project_lookup_returns_exactly_the_callers_project_as_the_sdks_expect()
    {
        await using var server = await SecurityTestServer.StartAsync();

        var response = await server.SendSignedAsync(HttpMethod.Get, IamProjectEndpoints.Route + "?name=cn-north-4", server.OtherCredential, projectHeader: null);
        var unsigned = await server.SendAsync(new HttpRequestMessage(HttpMethod.Get, IamProjectEndpoints.Route + "?name=cn-north-4"));

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var project = Assert.Single(JsonDocument.Parse(response.Body).RootElement.GetProperty("projects").EnumerateArray());
        Assert.Equal(SecurityTestServer.OtherProject, project.GetProperty("id").GetString());
        Assert.Equal("cn-north-4", project.GetProperty("name").GetString());
        AssertV2Error(unsigned, "DCS.1003", "No token in the request.");
    }

    private static Task<SecurityTestServer.Response> RequestTokenAsync(SecurityTestServer server, string name, string password, string? projectId)
    {
        var scope = projectId is null ? string.Empty : $",\"scope\":{{\"project\":{{\"id\":\"{projectId}\"}}}}";
        var body = $"{{\"auth\":{{\"identity\":{{\"methods\":[\"password\"],\"password\":{{\"user\":{{\"name\":\"{name}\",\"password\":\"{password}\",\"domain\":{{\"name\":\"dcsd\"}}}}}}}}{scope}}}}}";
        return server.SendAsync(new HttpRequestMessage(HttpMethod.Post, IamTokenEndpoints.Route) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
    }

    private static HttpRequestMessage WithToken(HttpMethod method, string path, string token, string? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.TryAddWithoutValidation("X-Auth-Token", token);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        return request;
    }
}

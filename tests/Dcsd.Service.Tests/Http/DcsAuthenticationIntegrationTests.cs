using System.Net;
using System.Text;
using System.Text.Json;
using Dcsd.Service.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Dcsd.Service.Tests.Security;

namespace Dcsd.Service.Tests.Http;

/// <summary>Real HTTP requests, signed by the test signer, against Kestrel running the middleware.</summary>
public sealed class DcsAuthenticationIntegrationTests
{
    private const string V2Ping = "/v2/" + SecurityTestServer.Project + "/ping";
    private const string V1Ping = "/v1.0/" + SecurityTestServer.Project + "/ping";

    [Theory]
    [InlineData(V2Ping, true, false)]   // GO-style: host with port
    [InlineData(V2Ping, false, false)]  // NET-style: host without port, content-type unsigned
    [InlineData(V1Ping, true, true)]    // PY-style: content-type signed
    public async Task Valid_signed_request_reaches_the_endpoint_with_its_body_intact(string path, bool hostWithPort, bool signContentType)
    {
        await using var server = await SecurityTestServer.StartAsync();
        const string body = "{\"remark\":\"Backup instances\",\"backup_format\":\"rdb\"}\n";

        var response = await server.SendSignedAsync(HttpMethod.Post, path + "?limit=10&name=a%20b&name=%E4%B8%80&empty=", server.Credential, body,
            hostWithPort: hostWithPort, signContentType: signContentType);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal($"{SecurityTestServer.Project}|{server.Credential.AccessKey}|Signature|{body}", response.Body);
        server.AssertNoSecretsLeaked();
    }

    [Fact]
    public async Task Valid_signed_get_without_project_header_passes()
    {
        await using var server = await SecurityTestServer.StartAsync();

        var response = await server.SendSignedAsync(HttpMethod.Get, V2Ping, server.Credential, projectHeader: null);

        Assert.Equal(HttpStatusCode.OK, response.Status);
    }

    [Fact]
    public async Task Unsigned_request_is_401_DCS_1003_flat_on_v2()
    {
        await using var server = await SecurityTestServer.StartAsync();

        var response = await server.SendAsync(new HttpRequestMessage(HttpMethod.Get, V2Ping));

        AssertV2Error(response, "DCS.1003", "No token in the request.");
    }

    [Fact]
    public async Task Unsigned_request_is_401_111401003_nested_on_v1()
    {
        await using var server = await SecurityTestServer.StartAsync();

        var response = await server.SendAsync(new HttpRequestMessage(HttpMethod.Get, V1Ping));

        AssertV1Error(response, "111401003", "No token in the request.");
    }

    [Fact]
    public async Task Tampered_body_is_401_DCS_1001()
    {
        await using var server = await SecurityTestServer.StartAsync();

        var response = await server.SendSignedAsync(HttpMethod.Post, V2Ping, server.Credential, "{\"remark\":\"a\"}",
            tamper: r => r.Content = new StringContent("{\"remark\":\"b\"}", Encoding.UTF8, "application/json"));

        AssertV2Error(response, "DCS.1001", "Invalid token.");
        Assert.Contains(server.Logs.Lines, l => l.Contains("SignatureMismatch", StringComparison.Ordinal) && l.Contains(server.Credential.AccessKey, StringComparison.Ordinal));
        server.AssertNoSecretsLeaked();
    }

    [Fact]
    public async Task Tampered_query_is_401_111401001_on_v1()
    {
        await using var server = await SecurityTestServer.StartAsync();

        var response = await server.SendSignedAsync(HttpMethod.Get, V1Ping + "?limit=1", server.Credential,
            tamper: r => r.RequestUri = new Uri(V1Ping + "?limit=2", UriKind.Relative));

        AssertV1Error(response, "111401001", "Invalid token.");
    }

    [Fact]
    public async Task Wrong_secret_and_unknown_access_key_are_401_DCS_1001()
    {
        await using var server = await SecurityTestServer.StartAsync();

        var wrongSecret = await server.SendSignedAsync(HttpMethod.Get, V2Ping, server.Credential, secretKey: server.OtherCredential.SecretKey);
        var unknown = await server.SendSignedAsync(HttpMethod.Get, V2Ping, CredentialGenerator.Create(SecurityTestServer.Project));

        AssertV2Error(wrongSecret, "DCS.1001", "Invalid token.");
        AssertV2Error(unknown, "DCS.1001", "Invalid token.");
        server.AssertNoSecretsLeaked();
    }

    [Fact]
    public async Task Unknown_authorization_scheme_is_401_DCS_1001()
    {
        await using var server = await SecurityTestServer.StartAsync();
        var request = new HttpRequestMessage(HttpMethod.Get, V2Ping);
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer abc");

        AssertV2Error(await server.SendAsync(request), "DCS.1001", "Invalid token.");
    }

    [Fact]
    public async Task Stale_date_is_401_DCS_1002()
    {
        await using var server = await SecurityTestServer.StartAsync();

        var response = await server.SendSignedAsync(HttpMethod.Get, V2Ping, server.Credential, signedAt: server.Clock.Now.AddMinutes(-20));

        AssertV2Error(response, "DCS.1002", "Token expired.");
        Assert.Contains(server.Logs.Lines, l => l.Contains("Stale", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Project_header_differing_from_the_path_is_401_DCS_1004()
    {
        await using var server = await SecurityTestServer.StartAsync();

        var response = await server.SendSignedAsync(HttpMethod.Get, V2Ping, server.Credential, projectHeader: SecurityTestServer.OtherProject);

        AssertV2Error(response, "DCS.1004", "Project ID does not match the token.");
        Assert.Contains(server.Logs.Lines, l => l.Contains("ProjectMismatch", StringComparison.Ordinal) && l.Contains(server.Credential.AccessKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Credential_of_another_project_is_401_DCS_1004_nested_on_v1()
    {
        await using var server = await SecurityTestServer.StartAsync();

        var response = await server.SendSignedAsync(HttpMethod.Get, V1Ping, server.OtherCredential, projectHeader: null);

        AssertV1Error(response, "111401004", "Project ID does not match the token.");
    }

    [Fact]
    public async Task Oversized_signed_body_is_413_in_the_DCS_shape()
    {
        await using var server = await SecurityTestServer.StartAsync();
        var body = new string('x', (int)SecurityTestServer.MaxBodyBytes + 1);

        var response = await server.SendSignedAsync(HttpMethod.Post, V2Ping, server.Credential, body);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.Status);
        Assert.Equal("DCS.4062", JsonDocument.Parse(response.Body).RootElement.GetProperty("error_code").GetString());
    }

    [Fact]
    public async Task Health_needs_no_authentication()
    {
        await using var server = await SecurityTestServer.StartAsync();

        var response = await server.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/health"));

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("ok", response.Body);
    }

    [Fact]
    public async Task Other_paths_still_need_authentication()
    {
        await using var server = await SecurityTestServer.StartAsync();

        AssertV2Error(await server.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/v3/auth/tokens")), "DCS.1003", "No token in the request.");
        AssertV2Error(await server.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/healthz")), "DCS.1003", "No token in the request.");
    }

    [Fact]
    public async Task Unsigned_payload_passes_whatever_the_body_but_a_declared_hash_must_match_the_body()
    {
        await using var server = await SecurityTestServer.StartAsync();

        var unsignedPayload = await server.SendSignedAsync(HttpMethod.Post, V2Ping, server.Credential, "binary-ish", contentSha256: "UNSIGNED-PAYLOAD");
        var rightHash = await server.SendSignedAsync(HttpMethod.Post, V2Ping, server.Credential, "abc",
            contentSha256: TestSdkSigner.HashHex(Encoding.UTF8.GetBytes("abc")));
        var wrongHash = await server.SendSignedAsync(HttpMethod.Post, V2Ping, server.Credential, "abc",
            contentSha256: TestSdkSigner.HashHex(Encoding.UTF8.GetBytes("abd")));

        Assert.Equal(HttpStatusCode.OK, unsignedPayload.Status);
        Assert.EndsWith("|binary-ish", unsignedPayload.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, rightHash.Status);
        AssertV2Error(wrongHash, "DCS.1001", "Invalid token.");
    }

    [Fact]
    public async Task Chunked_bodies_are_hashed_and_limited_without_a_content_length()
    {
        await using var server = await SecurityTestServer.StartAsync();
        const string small = "{\"remark\":\"chunked\"}";

        var ok = await server.SendSignedAsync(HttpMethod.Post, V2Ping, server.Credential, small, tamper: r => r.Content = Chunked(small));
        var tooLarge = await server.SendSignedAsync(HttpMethod.Post, V2Ping, server.Credential, "x",
            tamper: r => r.Content = Chunked(new string('x', (int)SecurityTestServer.MaxBodyBytes * 2)));

        Assert.Equal(HttpStatusCode.OK, ok.Status);
        Assert.EndsWith("|" + small, ok.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.Status);
    }

    [Fact]
    public async Task With_authentication_disabled_requests_pass_without_an_identity()
    {
        await using var server = await SecurityTestServer.StartAsync(options => options.RequireAuthentication = false);

        var response = await server.SendAsync(new HttpRequestMessage(HttpMethod.Get, V2Ping));

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("|||", response.Body);
    }

    [Fact]
    public async Task The_leak_check_itself_catches_a_secret_in_a_log_line()
    {
        await using var server = await SecurityTestServer.StartAsync();
        var logger = server.Services.GetRequiredService<ILoggerFactory>().CreateLogger("leaky");

        Microsoft.Extensions.Logging.LoggerMessage.Define<string>(LogLevel.Information, new EventId(1), "oops {Value}")(logger, server.Credential.SecretKey, null);

        Assert.ThrowsAny<Exception>(server.AssertNoSecretsLeaked);
    }

    private static StreamContent Chunked(string text)
    {
        // A non-seekable stream has no length, so HttpClient sends Transfer-Encoding: chunked.
        var content = new StreamContent(new NonSeekableStream(Encoding.UTF8.GetBytes(text)));
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json;charset=UTF-8");
        return content;
    }

    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }

    internal static void AssertV2Error(SecurityTestServer.Response response, string code, string message)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
        Assert.StartsWith("application/json", response.Message.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        var root = JsonDocument.Parse(response.Body).RootElement;
        Assert.Equal(code, root.GetProperty("error_code").GetString());
        Assert.Equal(message, root.GetProperty("error_msg").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("error_ext_msg").ValueKind);
        Assert.False(root.TryGetProperty("error", out _));
    }

    internal static void AssertV1Error(SecurityTestServer.Response response, string code, string message)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
        var root = JsonDocument.Parse(response.Body).RootElement;
        Assert.Equal(code, root.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(message, root.GetProperty("error").GetProperty("message").GetString());
        Assert.False(root.TryGetProperty("error_code", out _));
    }
}

using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Dcsd.Service.Security;
using Dcsd.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Dcsd.Service.Http.Iam;
using Dcsd.Service.Http;

namespace Dcsd.Service.Tests.Security;

/// <summary>
/// A real Kestrel server on a loopback port running the security middleware, the token endpoint and dummy DCS routes, with two
/// credentials (projects p1 and p2). Everything secret it hands out or sees is remembered so tests can assert it never leaks.
/// </summary>
internal sealed class SecurityTestServer : IAsyncDisposable
{
    public const string Project = "0123456789abcdef0123456789abcdef";
    public const string OtherProject = "fedcba9876543210fedcba9876543210";
    public const long MaxBodyBytes = 64 * 1024;

    private readonly WebApplication _app;
    private readonly TempDirectory _directory;
    private readonly ConcurrentBag<string> _secrets = [];
    private readonly ConcurrentBag<string> _responseTexts = [];

    private SecurityTestServer(WebApplication app, TempDirectory directory, FixedTimeProvider clock, CapturingLoggerProvider logs, int port)
    {
        _app = app;
        _directory = directory;
        Clock = clock;
        Logs = logs;
        Port = port;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    }

    public FixedTimeProvider Clock { get; }

    public CapturingLoggerProvider Logs { get; }

    public int Port { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public StoredCredential Credential { get; private set; } = null!;

    public StoredCredential OtherCredential { get; private set; } = null!;

    public static async Task<SecurityTestServer> StartAsync(Action<DcsSecurityOptions>? configure = null)
    {
        var directory = new TempDirectory("dcsd-security");
        var clock = new FixedTimeProvider(DateTimeOffset.UtcNow);
        var logs = new CapturingLoggerProvider();

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Trace);
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.AddDcsSecurity(options =>
        {
            options.ConnectionString = "Data Source=" + directory.Combine("dcsd.db");
            options.KeyFilePath = directory.Combine("secret.key");
            options.MaxBodyBytes = MaxBodyBytes;
            configure?.Invoke(options);
        });

        var app = builder.Build();
        app.UseDcsAuthentication();
        app.MapIamTokens();
        app.MapIamProjects();
        app.MapGet("/health", () => "ok");
        app.MapMethods("/v2/{project_id}/ping", ["GET", "POST"], EchoAsync);
        app.MapMethods("/v1.0/{project_id}/ping", ["GET", "POST"], EchoAsync);
        await app.StartAsync();

        var port = new Uri(app.Urls.Single()).Port;
        var server = new SecurityTestServer(app, directory, clock, logs, port);
        var store = app.Services.GetRequiredService<ICredentialStore>();
        server.Credential = CredentialGenerator.Create(Project, clock);
        server.OtherCredential = CredentialGenerator.Create(OtherProject, clock);
        await store.CreateAsync(server.Credential, CancellationToken.None);
        await store.CreateAsync(server.OtherCredential, CancellationToken.None);
        server._secrets.Add(server.Credential.SecretKey);
        server._secrets.Add(server.OtherCredential.SecretKey);
        return server;
    }

    /// <summary>The dummy endpoint reads the whole body, proving the middleware left it unconsumed.</summary>
    private static async Task EchoAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var identity = context.GetDcsIdentity();
        await context.Response.WriteAsync($"{identity?.ProjectId}|{identity?.AccessKey}|{identity?.Method}|{body}", context.RequestAborted);
    }

    public sealed record Response(HttpStatusCode Status, string Body, HttpResponseMessage Message);

    /// <summary>Signs with the test signer (never the product's code) the way the chosen SDK would, then sends for real.</summary>
    public Task<Response> SendSignedAsync(
        HttpMethod method,
        string pathAndQuery,
        StoredCredential credential,
        string? body = null,
        DateTimeOffset? signedAt = null,
        bool hostWithPort = true,
        bool signContentType = false,
        string? projectHeader = Project,
        Action<HttpRequestMessage>? tamper = null,
        string? secretKey = null,
        string? contentSha256 = null)
    {
        var date = TestSdkSigner.Date(signedAt ?? Clock.Now);
        var bodyBytes = body is null ? [] : Encoding.UTF8.GetBytes(body);
        var (path, query) = SplitTarget(pathAndQuery);

        List<(string, string)> signed = [("host", hostWithPort ? $"127.0.0.1:{Port}" : "127.0.0.1"), ("X-Sdk-Date", date)];
        if (projectHeader is not null)
        {
            signed.Add(("X-Project-Id", projectHeader));
        }

        if (contentSha256 is not null)
        {
            signed.Add(("X-Sdk-Content-Sha256", contentSha256));
        }

        if (signContentType && body is not null)
        {
            signed.Add(("Content-Type", "application/json;charset=UTF-8"));
        }

        var signature = TestSdkSigner.Sign(method.Method, path, query, signed, contentSha256 ?? TestSdkSigner.HashHex(bodyBytes), credential.AccessKey, secretKey ?? credential.SecretKey);
        _secrets.Add(signature.Signature);

        var request = new HttpRequestMessage(method, pathAndQuery);
        request.Headers.TryAddWithoutValidation("X-Sdk-Date", date);
        request.Headers.TryAddWithoutValidation("Authorization", signature.Authorization);
        if (projectHeader is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Project-Id", projectHeader);
        }

        if (contentSha256 is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Sdk-Content-Sha256", contentSha256);
        }

        if (body is not null)
        {
            request.Content = new ByteArrayContent(bodyBytes);
            request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json;charset=UTF-8");
        }

        tamper?.Invoke(request);
        return SendAsync(request);
    }

    public async Task<Response> SendAsync(HttpRequestMessage request)
    {
        var response = await Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (response.Headers.TryGetValues(SdkSigning.SubjectTokenHeader, out var tokens))
        {
            foreach (var token in tokens)
            {
                _secrets.Add(token);
            }
        }

        // Everything the client can see except the one header whose job is to carry the token.
        var visibleHeaders = response.Headers.Concat(response.Content.Headers)
            .Where(h => !h.Key.Equals(SdkSigning.SubjectTokenHeader, StringComparison.OrdinalIgnoreCase))
            .SelectMany(h => h.Value);
        _responseTexts.Add(body + "\n" + string.Join("\n", visibleHeaders));
        return new Response(response.StatusCode, body, response);
    }

    public void RememberSecret(string secret) => _secrets.Add(secret);

    /// <summary>No secret key, signature or token may appear in any response body, response header (but X-Subject-Token) or log line.</summary>
    public void AssertNoSecretsLeaked()
    {
        Assert.NotEmpty(Logs.Lines);
        foreach (var secret in _secrets)
        {
            Assert.DoesNotContain(Logs.Lines, line => line.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(_responseTexts, text => text.Contains(secret, StringComparison.Ordinal));
        }
    }

    private static (string Path, List<(string, string)> Query) SplitTarget(string pathAndQuery)
    {
        int question = pathAndQuery.IndexOf('?', StringComparison.Ordinal);
        if (question < 0)
        {
            return (Uri.UnescapeDataString(pathAndQuery), []);
        }

        var query = pathAndQuery[(question + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Select(kv => (Uri.UnescapeDataString(kv[0].Replace('+', ' ')), kv.Length > 1 ? Uri.UnescapeDataString(kv[1].Replace('+', ' ')) : string.Empty))
            .ToList();
        return (Uri.UnescapeDataString(pathAndQuery[..question]), query);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _directory.Dispose();
    }
}

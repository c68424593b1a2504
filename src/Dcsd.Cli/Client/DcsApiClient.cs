using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dcsd.Service.Security;

namespace Dcsd.Cli.Client;

/// <summary>
/// The DCS REST client of the `dcs` commands and the demo: every request signed with the AK/SK (the service's one signer,
/// <see cref="SdkSigningHandler"/>), JSON in, the response body kept as it came.
/// </summary>
internal sealed class DcsApiClient(HttpClient http) : IDisposable
{
    public static DcsApiClient Create(Uri endpoint, DcsCredential credential, TimeSpan? timeout = null) =>
        new(new HttpClient(new SdkSigningHandler(credential)) { BaseAddress = endpoint, Timeout = timeout ?? TimeSpan.FromSeconds(100) });

    /// <summary>Sends one request; an answer of any status comes back, only a failure to reach dcsd throws (<see cref="HttpRequestException"/>).</summary>
    public async Task<DcsReply> SendAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        string text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return new DcsReply((int)response.StatusCode, text);
    }

    /// <summary>Sends one request and throws <see cref="DcsApiException"/> with the DCS error when the status is not 2xx.</summary>
    public async Task<DcsReply> SendOkAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        var reply = await SendAsync(method, path, body, cancellationToken).ConfigureAwait(false);
        return reply.IsSuccess ? reply : throw new DcsApiException(reply);
    }

    public static string Pretty(JsonNode? node) => node?.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) ?? "(no body)";

    public void Dispose() => http.Dispose();
}

/// <summary>One answer of dcsd: the status and the body text exactly as sent (what `--json` prints).</summary>
internal sealed class DcsReply(int status, string text)
{
    private JsonNode? _json;

    public int Status { get; } = status;

    public string Text { get; } = text;

    public bool IsSuccess => Status is >= 200 and <= 299;

    /// <summary>The body parsed; null for an empty body (204) or one that is not JSON.</summary>
    public JsonNode? Json => _json ??= Parse(Text);

    /// <summary>The DCS error in either shape: v2 flat (<c>error_code</c>, <c>error_msg</c>) or v1.0 nested (<c>error.code</c>, <c>error.message</c>).</summary>
    public (string Code, string Message) Error
    {
        get
        {
            var json = Json;
            string? code = (string?)json?["error_code"] ?? (string?)json?["error"]?["code"];
            string? message = (string?)json?["error_msg"] ?? (string?)json?["error"]?["message"];
            return (code ?? $"HTTP {Status}", message ?? (Text.Length > 0 ? Text : "no body"));
        }
    }

    private static JsonNode? Parse(string text)
    {
        if (text.Length == 0)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>dcsd answered with an error: its DCS code and message, as a script reads them on stderr.</summary>
internal sealed class DcsApiException(DcsReply reply) : Exception($"{reply.Error.Code}: {reply.Error.Message}")
{
    public DcsReply Reply { get; } = reply;
}

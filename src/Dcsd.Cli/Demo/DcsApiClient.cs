using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dcsd.Cli.Demo;

/// <summary>A small DCS REST client for the demo: JSON in, JSON out, errors returned as they came.</summary>
internal sealed class DcsApiClient(HttpClient http) : IDisposable
{
    public async Task<(int Status, JsonNode? Body)> SendAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        string text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    public async Task<JsonNode> SendOkAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        var (status, json) = await SendAsync(method, path, body, cancellationToken).ConfigureAwait(false);
        if (status is < 200 or > 299 || json is null)
        {
            throw new InvalidOperationException($"{method} {path} answered {status}: {json?.ToJsonString() ?? "(no body)"}");
        }

        return json;
    }

    public static string Pretty(JsonNode? node) => node?.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) ?? "(no body)";

    public void Dispose() => http.Dispose();
}

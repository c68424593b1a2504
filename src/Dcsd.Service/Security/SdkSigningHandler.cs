using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Dcsd.Service.Security;

/// <summary>
/// Signs outgoing requests the way the Huawei Cloud SDKs do (SDK-HMAC-SHA256 over host, x-project-id and x-sdk-date), for dcsd's
/// own clients: the CLI and the demo.
/// </summary>
public sealed class SdkSigningHandler(DcsCredential credential, TimeProvider? time = null) : DelegatingHandler(new HttpClientHandler())
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        byte[] body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var uri = request.RequestUri ?? throw new InvalidOperationException("request without a URI");
        string date = _time.GetUtcNow().UtcDateTime.ToString(SdkSigning.DateFormat, CultureInfo.InvariantCulture);
        request.Headers.Remove(SdkSigning.DateHeader);
        request.Headers.Remove(SdkSigning.ProjectIdHeader);
        request.Headers.Add(SdkSigning.DateHeader, date);
        request.Headers.Add(SdkSigning.ProjectIdHeader, credential.ProjectId);

        var headers = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase)
        {
            ["host"] = [uri.Authority],
            ["x-project-id"] = [credential.ProjectId],
            ["x-sdk-date"] = [date],
        };
        var signed = new SdkSignedRequest(request.Method.Method, uri.AbsolutePath, uri.Query.TrimStart('?'), headers, Convert.ToHexStringLower(SHA256.HashData(body)));
        string[] signedHeaders = ["host", "x-project-id", "x-sdk-date"];
        string canonical = SdkCanonicalRequest.Build(signed, signedHeaders);
        string stringToSign = SdkSigning.Algorithm + "\n" + date + "\n" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
        string signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(credential.SecretKey), Encoding.UTF8.GetBytes(stringToSign)));
        request.Headers.TryAddWithoutValidation("Authorization", $"{SdkSigning.Algorithm} Access={credential.AccessKey}, SignedHeaders={string.Join(';', signedHeaders)}, Signature={signature}");
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}

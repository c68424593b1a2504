using System.Web;
using Dcsd.Service.Security;
using Dcsd.Service.Tests.Security;

namespace Dcsd.Service.Tests;

/// <summary>Signs every test request with the independent test signer, as an SDK client would (host, x-project-id, x-sdk-date).</summary>
public sealed class TestSigningHandler(DcsCredential credential) : DelegatingHandler(new HttpClientHandler())
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        byte[] body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var uri = request.RequestUri!;
        string date = TestSdkSigner.Date(DateTimeOffset.UtcNow);
        request.Headers.Add("X-Sdk-Date", date);
        request.Headers.Add("X-Project-Id", credential.ProjectId);
        var query = HttpUtility.ParseQueryString(uri.Query);
        var pairs = query.AllKeys.Where(k => k is not null).SelectMany(k => query.GetValues(k)!.Select(v => (k!, v)));
        var signature = TestSdkSigner.Sign(
            request.Method.Method,
            Uri.UnescapeDataString(uri.AbsolutePath),
            pairs,
            [("host", uri.Authority), ("x-project-id", credential.ProjectId), ("x-sdk-date", date)],
            TestSdkSigner.HashHex(body),
            credential.AccessKey,
            credential.SecretKey);
        request.Headers.TryAddWithoutValidation("Authorization", signature.Authorization);
        return await base.SendAsync(request, cancellationToken);
    }
}

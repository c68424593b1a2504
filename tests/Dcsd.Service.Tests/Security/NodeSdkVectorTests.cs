using System.Security.Cryptography;
using Dcsd.Service.Security;
using Microsoft.Extensions.Options;

namespace Dcsd.Service.Tests.Security;

/// <summary>
/// Signatures made by a real Huawei Cloud SDK: npm <c>@huaweicloud/huaweicloud-sdk-core</c> 3.1.211, <c>AKSKSigner.sign(request, credential)</c>
/// run by hand under node with X-Sdk-Date fixed to 20261128T100000Z. NODE signs every header it sends, content-type and host with
/// its port included, and hashes <c>JSON.stringify(data)</c>, which is also the body it sends.
/// </summary>
public sealed class NodeSdkVectorTests
{
    private const string AccessKey = "HWAKEXAMPLE000000001";
    private const string SecretKey = "hwSecretKeyExample0000000000000000000001";
    private const string Project = "0123456789abcdef0123456789abcdef";
    private static readonly DateTimeOffset SignedAt = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Post_with_json_body_multi_valued_non_ascii_query_and_host_port_verifies()
    {
        var body = "{\"remark\":\"Backup instances\",\"backup_format\":\"rdb\"}"u8.ToArray();
        var request = new SdkSignedRequest(
            "POST",
            "/v2/" + Project + "/instances/5560df16-cebf-4473-95c4-d1b573c16e79/backups",
            "limit=10&offset=0&name=b%20b&name=a%E4%B8%80",
            Headers(("Content-Type", "application/json;charset=UTF-8"), ("X-Project-Id", Project), ("User-Agent", "huaweicloud-usdk-nodejs/3.0"),
                ("X-Sdk-Date", "20261128T100000Z"), ("Host", "127.0.0.1:8443"), ("Content-Length", body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))),
            Convert.ToHexStringLower(SHA256.HashData(body)));
        var authorization = Parse("SDK-HMAC-SHA256 Access=HWAKEXAMPLE000000001, SignedHeaders=content-type;host;user-agent;x-project-id;x-sdk-date, Signature=9326acc27b4e7096c8b0abd04b1c732b5a68c93147ccdb3fd86cc6b86090d304");

        Assert.Equal(SignatureFailure.None, Verifier().Verify(request, authorization, SecretKey));
        Assert.Equal(SignatureFailure.SignatureMismatch, Verifier().Verify(request with { RawQuery = "limit=10&offset=0&name=b%20b" }, authorization, SecretKey));
    }

    [Fact]
    public void V1_get_with_default_port_host_verifies()
    {
        var request = new SdkSignedRequest(
            "GET",
            "/v1.0/" + Project + "/instances/5560df16-cebf-4473-95c4-d1b573c16e79/backups",
            "start=1&limit=10&beginTime=20170718235959",
            Headers(("X-Project-Id", Project), ("Content-Type", "application/json"), ("X-Sdk-Date", "20261128T100000Z"), ("Host", "dcs.example.com")),
            SdkSigning.EmptyBodySha256);
        var authorization = Parse("SDK-HMAC-SHA256 Access=HWAKEXAMPLE000000001, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=805ab888a4328fa7cd3f1433e5eed9282d93938a88d02a96c77b9ec2164930fe");

        Assert.Equal(SignatureFailure.None, Verifier().Verify(request, authorization, SecretKey));
    }

    private static SdkHmacSha256Verifier Verifier() => new(new FixedTimeProvider(SignedAt.AddMinutes(3)), Options.Create(new DcsSecurityOptions()));

    private static SdkAuthorization Parse(string header)
    {
        Assert.True(SdkAuthorization.TryParse(header, out var authorization));
        return authorization;
    }

    private static Dictionary<string, IReadOnlyList<string>> Headers(params (string Name, string Value)[] headers) =>
        headers.ToDictionary(h => h.Name, h => (IReadOnlyList<string>)[h.Value], StringComparer.OrdinalIgnoreCase);
}

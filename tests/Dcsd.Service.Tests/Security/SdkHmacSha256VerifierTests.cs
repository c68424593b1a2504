using System.Security.Cryptography;
using System.Text;
using Dcsd.Service.Security;
using Microsoft.Extensions.Options;

namespace Dcsd.Service.Tests.Security;

public sealed class SdkHmacSha256VerifierTests
{
    private static readonly DateTimeOffset GoVectorTime = new(2006, 1, 2, 15, 4, 5, TimeSpan.Zero);
    private static readonly DateTimeOffset DcsVectorTime = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private const string GoDate = "20060102T150405Z";
    private const string AccessKey = "AccessKey";
    private const string SecretKey = "SecretKey";

    [Fact]
    public void Go_test1_official_vector_verifies()
    {
        var request = Request("GET", "/path", "limit=1", SdkSigning.EmptyBodySha256, ("X-Sdk-Date", GoDate), ("TEST_UNDERSCORE", "TEST_VALUE"));
        var authorization = Parse("SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, Signature=5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624");

        Assert.Equal(SignatureFailure.None, Verifier(GoVectorTime).Verify(request, authorization, SecretKey));
        Assert.Equal(SignatureFailure.SignatureMismatch, Verifier(GoVectorTime).Verify(request, authorization, "OtherSecret"));
    }

    [Fact]
    public void Go_test2_official_vector_with_trailing_newline_body_and_unsigned_content_type_verifies()
    {
        var body = "{\"Name\":\"test\",\"Id\":1}\n"u8.ToArray();
        var request = Request("POST", "/path", "key=value", Sha256Hex(body),
            ("X-Sdk-Date", GoDate), ("TEST_UNDERSCORE", "TEST_VALUE"), ("Content-Type", "application/json"));
        var authorization = Parse("SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, Signature=cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59");

        Assert.Equal(SignatureFailure.None, Verifier(GoVectorTime).Verify(request, authorization, SecretKey));

        // The same JSON without GO's trailing newline is a different body.
        var withoutNewline = request with { PayloadHash = Sha256Hex("{\"Name\":\"test\",\"Id\":1}"u8.ToArray()) };
        Assert.Equal(SignatureFailure.SignatureMismatch, Verifier(GoVectorTime).Verify(withoutNewline, authorization, SecretKey));
    }

    [Fact]
    public void Dcs_shaped_vector_verifies_and_its_string_to_sign_hash_matches()
    {
        var body = "{\"remark\":\"Backup instances\",\"backup_format\":\"rdb\"}"u8.ToArray();
        Assert.Equal("cdbb7dc31462f68abd5595e344c5756a1a997bbeb73c1564ef0972d51deda2c2", Sha256Hex(body));
        var request = Request("POST", "/v2/0123456789abcdef0123456789abcdef/instances/5560df16-cebf-4473-95c4-d1b573c16e79/backups", "", Sha256Hex(body),
            ("Host", "dcs.example.com"), ("X-Project-Id", "0123456789abcdef0123456789abcdef"), ("X-Sdk-Date", "20240101T000000Z"));
        var authorization = Parse("SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=host;x-project-id;x-sdk-date, Signature=c85ad72a4b34d853e1c2c9a15270f5acf651c79b5d2cd833f8d5e33429012f08");

        var canonical = SdkCanonicalRequest.Build(request, authorization.SignedHeaders);
        Assert.Equal("28233b019b905140758d853f0157c14bcc53c6d5396920e6c611b6f7f0ce308e", Sha256Hex(Encoding.UTF8.GetBytes(canonical)));
        Assert.Equal(SignatureFailure.None, Verifier(DcsVectorTime).Verify(request, authorization, SecretKey));
    }

    [Fact]
    public void Canonical_request_of_go_test1_is_exact()
    {
        var request = Request("GET", "/path", "limit=1", SdkSigning.EmptyBodySha256, ("X-Sdk-Date", GoDate), ("TEST_UNDERSCORE", "TEST_VALUE"));

        Assert.Equal(
            "GET\n/path/\nlimit=1\nx-sdk-date:20060102T150405Z\n\nx-sdk-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            SdkCanonicalRequest.Build(request, ["x-sdk-date"]));
    }

    [Fact]
    public void Canonical_query_matches_the_go_sdk_test_whatever_the_wire_encoding_and_order()
    {
        // Shuffled, lower-case hex, '+' for space, unescaped '/' and '*': the server must decode and re-encode the SDK way.
        var builder = new StringBuilder();
        SdkCanonicalRequest.AppendCanonicalQuery(builder, "test=%e4%b8%80+%28%26%3D%3F%21%23%25.*%29&multi=3&path=/tmp/123&multi=1&enable=true&multi=2&limit=1");

        Assert.Equal("enable=true&limit=1&multi=1&multi=2&multi=3&path=%2Ftmp%2F123&test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29", builder.ToString());
    }

    [Fact]
    public void Canonical_query_keeps_empty_values_and_bare_keys_as_k_equals()
    {
        var builder = new StringBuilder();
        SdkCanonicalRequest.AppendCanonicalQuery(builder, "b=&a&c=1");

        Assert.Equal("a=&b=&c=1", builder.ToString());
    }

    [Fact]
    public void Canonical_uri_reencodes_each_segment_and_ends_with_a_slash()
    {
        var builder = new StringBuilder();
        SdkCanonicalRequest.AppendCanonicalUri(builder, "/v2/p/a%20b/%e4%b8%80~x/c+d");

        Assert.Equal("/v2/p/a%20b/%E4%B8%80~x/c%2Bd/", builder.ToString());
    }

    [Theory]
    [InlineData(true, true)]   // GO/NODE: host signed with its port
    [InlineData(true, false)]  // NET: host signed without the port the HTTP client sends anyway
    [InlineData(false, false)] // host not signed at all
    public void Host_is_honoured_with_or_without_port(bool signHost, bool signedWithPort)
    {
        var now = DcsVectorTime;
        List<(string, string)> signed = [("X-Sdk-Date", TestSdkSigner.Date(now)), ("X-Project-Id", "p1")];
        if (signHost)
        {
            signed.Add(("host", signedWithPort ? "dcs.example.com:8443" : "dcs.example.com"));
        }

        var signature = TestSdkSigner.Sign("GET", "/v2/p1/instances", [], signed, SdkSigning.EmptyBodySha256, AccessKey, SecretKey);
        var request = Request("GET", "/v2/p1/instances", "", SdkSigning.EmptyBodySha256,
            ("Host", "dcs.example.com:8443"), ("X-Sdk-Date", TestSdkSigner.Date(now)), ("X-Project-Id", "p1"), ("User-Agent", "test"));

        Assert.Equal(SignatureFailure.None, Verifier(now).Verify(request, Parse(signature.Authorization), SecretKey));
    }

    [Fact]
    public void Host_signed_with_another_port_is_a_mismatch()
    {
        var now = DcsVectorTime;
        var signature = TestSdkSigner.Sign("GET", "/v2/p1/instances", [], [("X-Sdk-Date", TestSdkSigner.Date(now)), ("host", "dcs.example.com:9000")],
            SdkSigning.EmptyBodySha256, AccessKey, SecretKey);
        var request = Request("GET", "/v2/p1/instances", "", SdkSigning.EmptyBodySha256, ("Host", "dcs.example.com:8443"), ("X-Sdk-Date", TestSdkSigner.Date(now)));

        Assert.Equal(SignatureFailure.SignatureMismatch, Verifier(now).Verify(request, Parse(signature.Authorization), SecretKey));
    }

    [Theory]
    [InlineData(true)]  // PY/NODE sign content-type
    [InlineData(false)] // NET/GO leave it out
    public void Content_type_signed_or_not_verifies(bool signContentType)
    {
        var now = DcsVectorTime;
        var body = "{\"remark\":\"x\"}\n"u8.ToArray();
        List<(string, string)> signed = [("X-Sdk-Date", TestSdkSigner.Date(now)), ("Host", "dcs.example.com")];
        if (signContentType)
        {
            signed.Add(("Content-Type", "application/json;charset=UTF-8"));
        }

        var signature = TestSdkSigner.Sign("POST", "/v2/p1/instances/i1/backups", [], signed, Sha256Hex(body), AccessKey, SecretKey);
        var request = Request("POST", "/v2/p1/instances/i1/backups", "", Sha256Hex(body),
            ("Host", "dcs.example.com"), ("X-Sdk-Date", TestSdkSigner.Date(now)), ("Content-Type", "application/json;charset=UTF-8"));

        Assert.Equal(SignatureFailure.None, Verifier(now).Verify(request, Parse(signature.Authorization), SecretKey));
    }

    [Fact]
    public void Multi_valued_non_ascii_query_and_repeated_header_verify()
    {
        var now = DcsVectorTime;
        (string, string)[] query = [("name", "一 二"), ("name", "a&b=c"), ("limit", "10"), ("empty", "")];
        var signature = TestSdkSigner.Sign("GET", "/v2/p1/instances/i1/backups", query,
            [("X-Sdk-Date", TestSdkSigner.Date(now)), ("X-Trace", "b"), ("X-Trace", "a")], SdkSigning.EmptyBodySha256, AccessKey, SecretKey);
        var request = Request("GET", "/v2/p1/instances/i1/backups", "limit=10&name=a%26b%3dc&empty=&name=%E4%B8%80+%E4%BA%8C", SdkSigning.EmptyBodySha256,
            ("X-Sdk-Date", TestSdkSigner.Date(now)), ("X-Trace", "a"), ("X-Trace", "b"));

        Assert.Equal(SignatureFailure.None, Verifier(now).Verify(request, Parse(signature.Authorization), SecretKey));
    }

    [Fact]
    public void Non_ascii_and_reserved_path_segments_verify()
    {
        var now = DcsVectorTime;
        var signature = TestSdkSigner.Sign("DELETE", "/v2/p1/instances/i 1/backups/一+*", [], [("X-Sdk-Date", TestSdkSigner.Date(now))],
            SdkSigning.EmptyBodySha256, AccessKey, SecretKey);
        var request = Request("DELETE", "/v2/p1/instances/i%201/backups/%E4%B8%80%2B*", "", SdkSigning.EmptyBodySha256, ("X-Sdk-Date", TestSdkSigner.Date(now)));

        Assert.Equal(SignatureFailure.None, Verifier(now).Verify(request, Parse(signature.Authorization), SecretKey));
    }

    [Fact]
    public void Unsigned_payload_is_signed_verbatim()
    {
        var now = DcsVectorTime;
        var signature = TestSdkSigner.Sign("PUT", "/v2/p1/upload", [],
            [("X-Sdk-Date", TestSdkSigner.Date(now)), ("X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD")], "UNSIGNED-PAYLOAD", AccessKey, SecretKey);
        var request = Request("PUT", "/v2/p1/upload", "", "UNSIGNED-PAYLOAD", ("X-Sdk-Date", TestSdkSigner.Date(now)), ("X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD"));

        Assert.Equal(SignatureFailure.None, Verifier(now).Verify(request, Parse(signature.Authorization), SecretKey));
        Assert.Equal(SignatureFailure.SignatureMismatch, Verifier(now).Verify(request with { PayloadHash = SdkSigning.EmptyBodySha256 }, Parse(signature.Authorization), SecretKey));
    }

    public static TheoryData<string> Tamperings => ["body", "path", "query", "signed header", "date", "method", "access key"];

    [Theory]
    [MemberData(nameof(Tamperings))]
    public void Tampering_with_anything_signed_is_a_mismatch(string what)
    {
        var now = DcsVectorTime;
        var body = "{\"remark\":\"a\"}"u8.ToArray();
        var signature = TestSdkSigner.Sign("POST", "/v2/p1/instances/i1/backups", [("limit", "1")],
            [("X-Sdk-Date", TestSdkSigner.Date(now)), ("X-Project-Id", "p1"), ("Host", "dcs.example.com")], Sha256Hex(body), AccessKey, SecretKey);
        var request = Request("POST", "/v2/p1/instances/i1/backups", "limit=1", Sha256Hex(body),
            ("X-Sdk-Date", TestSdkSigner.Date(now)), ("X-Project-Id", "p1"), ("Host", "dcs.example.com"), ("User-Agent", "unsigned"));
        var authorization = Parse(signature.Authorization);
        Assert.Equal(SignatureFailure.None, Verifier(now).Verify(request, authorization, SecretKey));

        var tampered = what switch
        {
            "body" => request with { PayloadHash = Sha256Hex("{\"remark\":\"b\"}"u8.ToArray()) },
            "path" => request with { RawPath = "/v2/p1/instances/i2/backups" },
            "query" => request with { RawQuery = "limit=2" },
            "signed header" => WithHeader(request, "X-Project-Id", "p2"),
            "date" => WithHeader(request, "X-Sdk-Date", TestSdkSigner.Date(now.AddMinutes(1))),
            "method" => request with { Method = "PUT" },
            _ => request,
        };
        if (what == "access key")
        {
            authorization = authorization with { AccessKey = "OtherKey" };
        }

        // The access key is not part of the string to sign, so "access key" is caught by the secret lookup, not here: a different
        // key has a different secret.
        var secret = what == "access key" ? "OtherSecret" : SecretKey;
        Assert.Equal(SignatureFailure.SignatureMismatch, Verifier(now).Verify(tampered, authorization, secret));
    }

    [Fact]
    public void Changing_an_unsigned_header_does_not_matter()
    {
        var now = DcsVectorTime;
        var signature = TestSdkSigner.Sign("GET", "/v2/p1/x", [], [("X-Sdk-Date", TestSdkSigner.Date(now))], SdkSigning.EmptyBodySha256, AccessKey, SecretKey);
        var request = Request("GET", "/v2/p1/x", "", SdkSigning.EmptyBodySha256, ("X-Sdk-Date", TestSdkSigner.Date(now)), ("User-Agent", "changed"));

        Assert.Equal(SignatureFailure.None, Verifier(now).Verify(request, Parse(signature.Authorization), SecretKey));
    }

    [Theory]
    [InlineData(-16, "Stale")]
    [InlineData(16, "Stale")]
    [InlineData(-14, "None")]
    [InlineData(14, "None")]
    public void Date_further_than_15_minutes_from_now_is_stale(int minutesFromNow, string expected)
    {
        var now = DcsVectorTime;
        var signedAt = now.AddMinutes(minutesFromNow);
        var signature = TestSdkSigner.Sign("GET", "/v2/p1/x", [], [("X-Sdk-Date", TestSdkSigner.Date(signedAt))], SdkSigning.EmptyBodySha256, AccessKey, SecretKey);
        var request = Request("GET", "/v2/p1/x", "", SdkSigning.EmptyBodySha256, ("X-Sdk-Date", TestSdkSigner.Date(signedAt)));

        Assert.Equal(Enum.Parse<SignatureFailure>(expected), Verifier(now).Verify(request, Parse(signature.Authorization), SecretKey));
    }

    [Fact]
    public void Missing_or_unsigned_date_is_reported()
    {
        var now = DcsVectorTime;
        var signature = TestSdkSigner.Sign("GET", "/v2/p1/x", [], [("X-Sdk-Date", TestSdkSigner.Date(now))], SdkSigning.EmptyBodySha256, AccessKey, SecretKey);
        var withoutDate = Request("GET", "/v2/p1/x", "", SdkSigning.EmptyBodySha256, ("Host", "h"));
        Assert.Equal(SignatureFailure.MissingDate, Verifier(now).Verify(withoutDate, Parse(signature.Authorization), SecretKey));

        var unsignedDate = TestSdkSigner.Sign("GET", "/v2/p1/x", [], [("X-Sdk-Date", TestSdkSigner.Date(now))], SdkSigning.EmptyBodySha256, AccessKey, SecretKey);
        var authorization = Parse(unsignedDate.Authorization) with { SignedHeaders = ["host"] };
        var request = Request("GET", "/v2/p1/x", "", SdkSigning.EmptyBodySha256, ("Host", "h"), ("X-Sdk-Date", TestSdkSigner.Date(now)));
        Assert.Equal(SignatureFailure.MissingDate, Verifier(now).Verify(request, authorization, SecretKey));
    }

    [Theory]
    [InlineData("2024-01-01T00:00:00Z", "c85ad72a4b34d853e1c2c9a15270f5acf651c79b5d2cd833f8d5e33429012f08")]
    [InlineData("20240101T000000Z", "not-hex-not-hex-not-hex-not-hex-not-hex-not-hex-not-hex-not-hex-")]
    [InlineData("20240101T000000Z", "c85ad72a")]
    public void Unparseable_date_or_signature_is_malformed(string date, string signatureHex)
    {
        var request = Request("GET", "/v2/p1/x", "", SdkSigning.EmptyBodySha256, ("X-Sdk-Date", date));
        var authorization = Parse("SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, Signature=" + signatureHex);

        Assert.Equal(SignatureFailure.Malformed, Verifier(DcsVectorTime).Verify(request, authorization, SecretKey));
    }

    [Theory]
    [InlineData("example.com:8080", "example.com")]
    [InlineData("example.com", "example.com")]
    [InlineData("[::1]:8080", "[::1]")]
    [InlineData("[::1]", "[::1]")]
    [InlineData("127.0.0.1:5000", "127.0.0.1")]
    public void StripPort_handles_names_ipv4_and_ipv6(string host, string expected) =>
        Assert.Equal(expected, SdkHmacSha256Verifier.StripPort(host));

    private static SdkHmacSha256Verifier Verifier(DateTimeOffset now) =>
        new(new FixedTimeProvider(now), Options.Create(new DcsSecurityOptions()));

    private static SdkAuthorization Parse(string header)
    {
        Assert.True(SdkAuthorization.TryParse(header, out var authorization));
        return authorization;
    }

    private static string Sha256Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static SdkSignedRequest Request(string method, string rawPath, string rawQuery, string payloadHash, params (string Name, string Value)[] headers) =>
        new(method, rawPath, rawQuery, headers
            .GroupBy(h => h.Name, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(h => h.Value).ToArray(), StringComparer.OrdinalIgnoreCase), payloadHash);

    private static SdkSignedRequest WithHeader(SdkSignedRequest request, string name, string value)
    {
        var headers = new Dictionary<string, IReadOnlyList<string>>(request.Headers, StringComparer.OrdinalIgnoreCase) { [name] = [value] };
        return request with { Headers = headers };
    }
}

using Dcsd.Service.Security;

namespace Dcsd.Service.Tests.Security;

public sealed class SdkAuthorizationTests
{
    [Fact]
    public void Parses_the_sdk_header()
    {
        Assert.True(SdkAuthorization.TryParse("SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host;x-project-id;x-sdk-date, Signature=abc", out var parsed));

        Assert.Equal("AK1", parsed.AccessKey);
        Assert.Equal(["host", "x-project-id", "x-sdk-date"], parsed.SignedHeaders);
        Assert.Equal("abc", parsed.Signature);
    }

    [Theory]
    [InlineData("SDK-HMAC-SHA256 Access=AK1,SignedHeaders=x-sdk-date,Signature=abc")]
    [InlineData("SDK-HMAC-SHA256 Signature=abc, Access=AK1, SignedHeaders=x-sdk-date")]
    public void Tolerates_spacing_and_order(string header) => Assert.True(SdkAuthorization.TryParse(header, out _));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Bearer abc")]
    [InlineData("SDK-HMAC-SHA256 Access=AK1, SignedHeaders=x-sdk-date")]
    [InlineData("SDK-HMAC-SHA256 Access=AK1, SignedHeaders=x-sdk-date, Signature=a, Signature=b")]
    [InlineData("SDK-HMAC-SHA256 Access=AK1, SignedHeaders=x-sdk-date;;host, Signature=a")]
    [InlineData("SDK-HMAC-SHA256 Access=, SignedHeaders=x-sdk-date, Signature=a")]
    [InlineData("SDK-HMAC-SHA256 Access=AK1, SignedHeaders=x-sdk-date, Signature=a, Extra=1")]
    [InlineData("SDK-HMAC-SHA256 garbage")]
    public void Rejects_malformed_headers(string? header) => Assert.False(SdkAuthorization.TryParse(header, out _));
}

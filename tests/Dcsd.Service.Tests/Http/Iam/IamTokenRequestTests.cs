using System.Text;
using Dcsd.Service.Security;
using Dcsd.Service.Http.Iam;

namespace Dcsd.Service.Tests.Http.Iam;

public sealed class IamTokenRequestTests
{
    [Fact]
    public void Reads_the_iam_password_body()
    {
        var request = Parse("""
            {"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"AK","password":"SK","domain":{"name":"d"}}}},
                     "scope":{"project":{"id":"p1"}}}}
            """);

        Assert.NotNull(request);
        Assert.True(request.HasPassword);
        Assert.Equal("AK", request.UserName);
        Assert.Equal("SK", request.Password);
        Assert.Equal("p1", request.ProjectId);
        Assert.DoesNotContain("SK", request.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"auth":{"identity":{"methods":["token"],"password":{"user":{"name":"AK","password":"SK"}}}}}""")]
    [InlineData("""{"auth":{"identity":{"methods":["password"],"password":"SK"}}}""")]
    [InlineData("""{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"AK","password":7}}}}}""")]
    [InlineData("""{"auth":{}}""")]
    public void Shapes_without_a_usable_password_parse_without_one(string json)
    {
        var request = Parse(json);

        Assert.NotNull(request);
        Assert.False(request.HasPassword);
    }

    [Theory]
    [InlineData("{")]
    [InlineData("[]")]
    [InlineData("""{"auth":"x"}""")]
    [InlineData("""{"other":{}}""")]
    public void Non_iam_bodies_are_null(string json) => Assert.Null(Parse(json));

    private static IamTokenRequest? Parse(string json) => IamTokenRequest.TryParse(Encoding.UTF8.GetBytes(json));
}

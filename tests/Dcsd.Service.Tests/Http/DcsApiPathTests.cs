using Dcsd.Service.Security;
using Microsoft.AspNetCore.Http;
using Dcsd.Service.Http;

namespace Dcsd.Service.Tests.Http;

public sealed class DcsApiPathTests
{
    [Theory]
    [InlineData("/v2/p1/instances/i1/backups", "V2", "p1")]
    [InlineData("/v1.0/p1/instances/i1/backups", "V1", "p1")]
    [InlineData("/V2/p1", "V2", "p1")]
    [InlineData("/v2", "V2", null)]
    [InlineData("/v3/auth/tokens", "Other", null)]
    [InlineData("/health", "Other", null)]
    [InlineData("/", "Other", null)]
    [InlineData(null, "Other", null)]
    public void Finds_the_version_and_the_project_segment(string? path, string version, string? project)
    {
        var parsed = DcsApiPath.Parse(path);

        Assert.Equal(Enum.Parse<DcsApiVersion>(version), parsed.Version);
        Assert.Equal(project, parsed.ProjectId);
    }

    [Theory]
    [InlineData("POST", "/v3/auth/tokens", true)]
    [InlineData("GET", "/v3/auth/tokens", false)]
    [InlineData("GET", "/health", true)]
    [InlineData("GET", "/health/x", false)]
    [InlineData("GET", "/v2/p1/health", false)]
    public void Only_token_issuing_and_health_are_exempt(string method, string path, bool exempt)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = path;

        Assert.Equal(exempt, DcsAuthenticationMiddleware.IsExempt(context.Request));
    }
}

using Dcsd.Service.Security;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Dcsd.Service.Tests.Security;

public sealed class DcsSecurityOptionsTests
{
    [Fact]
    public void Defaults_match_huawei_limits()
    {
        var options = new DcsSecurityOptions();

        Assert.True(options.RequireAuthentication);
        Assert.Equal(TimeSpan.FromMinutes(15), options.MaxClockSkew);
        Assert.Equal(12L * 1024 * 1024, options.MaxBodyBytes);
        Assert.Equal(TimeSpan.FromHours(24), options.TokenLifetime);
    }

    [Fact]
    public void Binds_from_the_security_section_and_reports_every_error_at_once()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Security:MaxClockSkew"] = "00:05:00",
            ["Security:MaxBodyBytes"] = "0",
        }).Build();
        using var provider = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddDcsSecurity().BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<DcsSecurityOptions>>().Value);

        Assert.Equal(3, error.Failures.Count());
        Assert.Contains(error.Failures, f => f.Contains("MaxBodyBytes", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("ConnectionString", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("KeyFilePath", StringComparison.Ordinal));
    }

    [Fact]
    public void Configured_values_win_and_validate()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Security:MaxClockSkew"] = "00:05:00" }).Build();
        using var provider = new ServiceCollection().AddSingleton<IConfiguration>(configuration)
            .AddDcsSecurity(o => { o.ConnectionString = "Data Source=x.db"; o.KeyFilePath = "x.key"; })
            .BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<DcsSecurityOptions>>().Value;

        Assert.Equal(TimeSpan.FromMinutes(5), options.MaxClockSkew);
        Assert.IsType<SqliteCredentialStore>(provider.GetRequiredService<ICredentialStore>());
        Assert.IsType<SqliteTokenStore>(provider.GetRequiredService<ITokenStore>());
    }
}

using Dcsd.Service.Security;

namespace Dcsd.Service.Tests.Security;

public sealed class CredentialGeneratorTests
{
    [Fact]
    public void Access_key_is_20_upper_case_alphanumerics_and_secret_40_alphanumerics()
    {
        var clock = new FixedTimeProvider(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var credential = CredentialGenerator.Create("project-1", clock);

        Assert.Matches("^[A-Z0-9]{20}$", credential.AccessKey);
        Assert.Matches("^[A-Za-z0-9]{40}$", credential.SecretKey);
        Assert.Equal("project-1", credential.ProjectId);
        Assert.Equal(clock.Now, credential.CreatedAt);
    }

    [Fact]
    public void Credentials_are_unique_and_use_the_whole_alphabet()
    {
        var credentials = Enumerable.Range(0, 200).Select(_ => CredentialGenerator.Create("p")).ToList();

        Assert.Equal(200, credentials.Select(c => c.AccessKey).Distinct().Count());
        Assert.Equal(200, credentials.Select(c => c.SecretKey).Distinct().Count());
        // 200 × 40 draws from 62 symbols: every symbol shows up unless the generator is broken (chance of a miss ≈ 62·e^-129).
        Assert.Equal(62, credentials.SelectMany(c => c.SecretKey).Distinct().Count());
        Assert.Equal(36, credentials.SelectMany(c => c.AccessKey).Distinct().Count());
    }

    [Fact]
    public void ToString_never_shows_the_secret()
    {
        var credential = CredentialGenerator.Create("p");

        Assert.DoesNotContain(credential.SecretKey, credential.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_blank_project_is_refused() => Assert.Throws<ArgumentException>(() => CredentialGenerator.Create(" "));
}

namespace Dcsd.Service.Security;

/// <summary>Settings of the security core; bind from the <c>Security</c> configuration section.</summary>
internal sealed class DcsSecurityOptions
{
    public const string SectionName = "Security";

    /// <summary>When false every request passes unauthenticated (a local, single-user setup). The default value is <c>true</c>.</summary>
    public bool RequireAuthentication { get; set; } = true;

    /// <summary>How far X-Sdk-Date may be from the server clock, either way. The default value is 15 minutes, as Huawei's API Gateway.</summary>
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Largest request body accepted. The default value is 12 MiB, Huawei's limit for AK/SK-signed bodies.</summary>
    public long MaxBodyBytes { get; set; } = 12L * 1024 * 1024;

    /// <summary>How long an issued X-Auth-Token stays valid. The default value is 24 hours, as IAM tokens.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>SQLite connection string of the database holding the credentials and tokens tables (dcsd's own database file).</summary>
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>Path of the 256-bit AES key file that encrypts secrets at rest; created with mode 0600 when missing.</summary>
    public string KeyFilePath { get; set; } = string.Empty;
}

using Microsoft.Extensions.Options;

namespace Dcsd.Service.Security;

/// <summary>Collects every settings error at once so a misconfigured service fails at start with the full list.</summary>
internal sealed class DcsSecurityOptionsValidator : IValidateOptions<DcsSecurityOptions>
{
    public ValidateOptionsResult Validate(string? name, DcsSecurityOptions options)
    {
        var errors = new List<string>();
        if (options.MaxClockSkew <= TimeSpan.Zero)
        {
            errors.Add("Security:MaxClockSkew must be positive.");
        }

        if (options.MaxBodyBytes <= 0)
        {
            errors.Add("Security:MaxBodyBytes must be positive.");
        }

        if (options.TokenLifetime <= TimeSpan.Zero)
        {
            errors.Add("Security:TokenLifetime must be positive.");
        }

        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            errors.Add("Security:ConnectionString is required.");
        }

        if (string.IsNullOrWhiteSpace(options.KeyFilePath))
        {
            errors.Add("Security:KeyFilePath is required.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Dcsd.Service.Security;

internal static class DcsSecurityServiceCollectionExtensions
{
    /// <summary>
    /// Registers the security core: options (bound from the <c>Security</c> section, validated at start), the verifier, and SQLite
    /// credential and token stores over <see cref="DcsSecurityOptions.ConnectionString"/>. Stores are registered with TryAdd, so a
    /// different <see cref="ICredentialStore"/> or <see cref="ITokenStore"/> registered earlier wins.
    /// </summary>
    public static IServiceCollection AddDcsSecurity(this IServiceCollection services, Action<DcsSecurityOptions>? configure = null)
    {
        var optionsBuilder = services.AddOptions<DcsSecurityOptions>().BindConfiguration(DcsSecurityOptions.SectionName);
        if (configure is not null)
        {
            optionsBuilder.Configure(configure);
        }

        optionsBuilder.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DcsSecurityOptions>, DcsSecurityOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SdkHmacSha256Verifier>();
        services.TryAddSingleton<SdkRequestAuthenticator>();
        services.TryAddSingleton(sp => new SecretProtector(sp.GetRequiredService<IOptions<DcsSecurityOptions>>().Value.KeyFilePath));
        services.TryAddSingleton<ICredentialStore>(sp => new SqliteCredentialStore(
            sp.GetRequiredService<IOptions<DcsSecurityOptions>>().Value.ConnectionString,
            sp.GetRequiredService<SecretProtector>()));
        services.TryAddSingleton<ITokenStore>(sp => new SqliteTokenStore(
            sp.GetRequiredService<IOptions<DcsSecurityOptions>>().Value.ConnectionString,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<DcsSecurityOptions>>()));
        return services;
    }
}

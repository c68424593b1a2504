using Microsoft.Extensions.Hosting;

namespace Dcsd.Service.Security;

/// <summary>
/// At start, ensures the credential named by DCS_BOOTSTRAP_PROJECT_ID / DCS_BOOTSTRAP_ACCESS_KEY / DCS_BOOTSTRAP_SECRET_KEY
/// exists, so automation can talk to a fresh dcsd without a separate setup step.
/// </summary>
internal sealed class BootstrapCredential(ICredentialStore store) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        string? project = Environment.GetEnvironmentVariable("DCS_BOOTSTRAP_PROJECT_ID");
        string? accessKey = Environment.GetEnvironmentVariable("DCS_BOOTSTRAP_ACCESS_KEY");
        string? secretKey = Environment.GetEnvironmentVariable("DCS_BOOTSTRAP_SECRET_KEY");
        if (string.IsNullOrEmpty(project) || string.IsNullOrEmpty(accessKey) || string.IsNullOrEmpty(secretKey))
        {
            return;
        }

        await DcsdCredentials.EnsureAsync(store, new DcsCredential(project, accessKey, secretKey), cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

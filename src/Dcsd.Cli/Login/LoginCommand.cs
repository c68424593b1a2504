using System.CommandLine;
using Dcsd.Cli.Client;
using Spectre.Console;

namespace Dcsd.Cli.Login;

/// <summary>
/// `dcs login`: checks an endpoint, project and AK/SK with one signed request, then saves them in the profile (mode 0600).
/// The secret key comes from --secret-key, else a line of standard input when it is not a terminal, else a hidden prompt.
/// </summary>
internal static class LoginCommand
{
    public static Command Create()
    {
        var endpoint = new Option<string>("--endpoint") { Description = "dcsd's URL, e.g. http://127.0.0.1:7480", Required = true };
        var project = new Option<string>("--project") { Description = "the project id of the credential", Required = true };
        var accessKey = new Option<string>("--access-key") { Description = "the access key (AK)", Required = true };
        var secretKey = new Option<string?>("--secret-key") { Description = "the secret key (SK); when left out it is read from stdin or asked for" };
        var command = new Command("login", $"Check and save where and as whom the client commands connect (profile file mode 0600; ${DcsProfile.FileVariable} names another)")
        {
            endpoint, project, accessKey, secretKey,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            string? secret = parseResult.GetValue(secretKey) ?? ReadSecret();
            if (string.IsNullOrEmpty(secret))
            {
                Console.Error.WriteLine("dcs: no secret key given");
                return ExitCodes.Usage;
            }

            var profile = new DcsProfile(parseResult.GetValue(endpoint)!.TrimEnd('/'), parseResult.GetValue(project), parseResult.GetValue(accessKey), secret);
            if (profile.Resolve(out string? problem) is not { } target)
            {
                Console.Error.WriteLine($"dcs: {problem}");
                return ExitCodes.Usage;
            }

            using var client = DcsApiClient.Create(target.Endpoint, target.Credential);
            return await ClientCommand.RunAsync(async () =>
            {
                // One signed call proves the endpoint, the project and the pair before anything is saved.
                await client.SendOkAsync(HttpMethod.Get, $"/v2/{target.Credential.ProjectId}/instances?limit=1", null, cancellationToken).ConfigureAwait(false);
                profile.Save();
                Console.Out.WriteLine($"Logged in as {profile}; saved to {DcsProfile.FilePath}");
                return ExitCodes.Ok;
            }, target.Endpoint, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static string? ReadSecret() =>
        Console.IsInputRedirected
            ? Console.In.ReadLine()?.Trim()
            : AnsiConsole.Prompt(new TextPrompt<string>("Secret key:").Secret());
}

using System.CommandLine;
using Dcsd.Service.Security;

namespace Dcsd.Cli.Credentials;

/// <summary>`dcs credentials create --project P`: a new AK/SK for a project, printed once (only a hash-free encrypted copy is kept).</summary>
internal static class CredentialsCommand
{
    public static Command Create()
    {
        var project = new Option<string>("--project") { Description = "the project id the credential may act on", Required = true };
        var data = new Option<string>("--data") { Description = "dcsd's data directory", DefaultValueFactory = _ => ".dcs" };
        var create = new Command("create", "Create an access key / secret key pair for a project and print it once") { project, data };
        create.SetAction(async (parseResult, cancellationToken) =>
        {
            try
            {
                var credential = await DcsdCredentials.CreateAsync(parseResult.GetValue(data)!, parseResult.GetValue(project)!, cancellationToken).ConfigureAwait(false);
                Console.WriteLine($"project_id: {credential.ProjectId}");
                Console.WriteLine($"access_key: {credential.AccessKey}");
                Console.WriteLine($"secret_key: {credential.SecretKey}");
                Console.Error.WriteLine("The secret key is shown only now; store it safely.");
                return 0;
            }
            catch (ArgumentException ex)
            {
                Console.Error.WriteLine(ex.Message);
                return 2;
            }
        });
        return new Command("credentials", "Manage AK/SK credentials") { create };
    }
}

using System.CommandLine;
using Spectre.Console;

namespace Dcsd.Cli.Client;

/// <summary>
/// What every client command shares: the `--json` switch, the signed client built from the profile, and one mapping of
/// failures to stderr and exit codes (<see cref="ExitCodes"/>).
/// </summary>
internal static class ClientCommand
{
    public static Option<bool> JsonOption() => new("--json") { Description = "print the DCS response body as it is (for scripts)" };

    public static Option<bool> WaitOption(string what) => new("--wait") { Description = $"follow the {what} to its end with a progress bar (Ctrl-C stops waiting, not the job)" };

    public static Option<string> InstanceOption() => new("--instance", "-i") { Description = "the instance id", Required = true };

    /// <summary>Sets <paramref name="action"/> as the command's action, with the client of the current profile.</summary>
    public static void SetClientAction(this Command command, Func<ClientSession, ParseResult, CancellationToken, Task<int>> action)
    {
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var resolved = DcsProfile.Load().Resolve(out string? missing);
            if (resolved is not { } target)
            {
                Console.Error.WriteLine($"dcs: {missing}");
                return ExitCodes.Usage;
            }

            using var client = DcsApiClient.Create(target.Endpoint, target.Credential);
            var session = new ClientSession(client, target.Credential.ProjectId, target.Endpoint);
            return await RunAsync(() => action(session, parseResult, cancellationToken), target.Endpoint, cancellationToken).ConfigureAwait(false);
        });
    }

    /// <summary>Runs a client action, turning what can go wrong into a line on stderr and an exit code.</summary>
    public static async Task<int> RunAsync(Func<Task<int>> action, Uri endpoint, CancellationToken cancellationToken)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (DcsApiException ex)
        {
            var (code, message) = ex.Reply.Error;
            Console.Error.WriteLine($"dcs: {code}: {message}");
            return ExitCodes.DcsError;
        }
        catch (HttpRequestException ex)
        {
            Console.Error.WriteLine($"dcs: cannot reach dcsd at {endpoint}: {ex.Message}");
            return ExitCodes.Unreachable;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Console.Error.WriteLine($"dcs: dcsd at {endpoint} did not answer in time");
            return ExitCodes.Unreachable;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Interrupted;
        }
    }

    /// <summary>Prints the body as dcsd sent it (`--json`), or nothing for a bodiless answer.</summary>
    public static void PrintRaw(DcsReply reply)
    {
        if (reply.Text.Length > 0)
        {
            Console.Out.WriteLine(reply.Text);
        }
    }

    /// <summary>Tables for a terminal take its width; into a pipe or file they are not squeezed into Spectre's default 80 columns.</summary>
    public static IAnsiConsole Out { get; } = WithWidth(AnsiConsole.Console);

    private static IAnsiConsole WithWidth(IAnsiConsole console)
    {
        if (Console.IsOutputRedirected)
        {
            console.Profile.Width = 200;
        }

        return console;
    }
}

/// <summary>One command's connection to dcsd: the signed client and the project its paths name.</summary>
internal sealed record ClientSession(DcsApiClient Client, string ProjectId, Uri Endpoint)
{
    public string V2(string path) => $"/v2/{ProjectId}/{path}";

    public Task<DcsReply> GetAsync(string path, CancellationToken cancellationToken) => Client.SendOkAsync(HttpMethod.Get, V2(path), null, cancellationToken);

    public Task<DcsReply> PostAsync(string path, object body, CancellationToken cancellationToken) => Client.SendOkAsync(HttpMethod.Post, V2(path), body, cancellationToken);

    public Task<DcsReply> DeleteAsync(string path, CancellationToken cancellationToken) => Client.SendOkAsync(HttpMethod.Delete, V2(path), null, cancellationToken);
}

using System.CommandLine;
using Dcsd.Cli.Backups;
using Dcsd.Cli.Credentials;
using Dcsd.Cli.Demo;
using Dcsd.Cli.Imports;
using Dcsd.Cli.Instances;
using Dcsd.Cli.Login;
using Dcsd.Cli.Restores;
using Dcsd.Cli.Serve;
using Dcsd.Rdb.Tool;

namespace Dcsd.Cli;

internal static class Program
{
    private static Task<int> Main(string[] args)
    {
        var root = new RootCommand("dcs: the dcsd Distributed Cache Service for Redis (server, demo, client commands and tools)");
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(CredentialsCommand.Create());
        root.Subcommands.Add(LoginCommand.Create());
        root.Subcommands.Add(InstancesCommand.Create());
        root.Subcommands.Add(BackupsCommand.Create());
        root.Subcommands.Add(RestoresCommand.Create());
        root.Subcommands.Add(ImportCommand.Create());
        root.Subcommands.Add(RdbCommand.Create());
        root.Subcommands.Add(SnapshotCommand.Create());
        root.Subcommands.Add(RestoreFileCommand.Create());
        return root.Parse(args).InvokeAsync();
    }
}

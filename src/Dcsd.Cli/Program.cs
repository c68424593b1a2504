using System.CommandLine;

namespace Dcsd.Cli;

internal static class Program
{
    private static Task<int> Main(string[] args)
    {
        var root = new RootCommand("dcs: the dcsd Distributed Cache Service for Redis (server, demo and tools)");
        root.Subcommands.Add(SnapshotCommand.Create());
        return root.Parse(args).InvokeAsync();
    }
}

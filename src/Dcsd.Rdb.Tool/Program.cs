using System.CommandLine;

namespace Dcsd.Rdb.Tool;

internal static class Program
{
    private static Task<int> Main(string[] args)
    {
        var root = new RootCommand("dcs-rdb: read, verify and inspect Redis RDB files (the `dcs rdb` commands)");
        foreach (Command command in RdbCommand.CreateSubcommands())
        {
            root.Subcommands.Add(command);
        }

        return root.Parse(args).InvokeAsync();
    }
}

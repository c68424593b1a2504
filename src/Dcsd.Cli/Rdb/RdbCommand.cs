using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Dcsd.Rdb;

// In the root CLI namespace so Program.cs registers it with one line.
namespace Dcsd.Cli;

/// <summary><c>dcs rdb verify|inspect</c>: offline checks of RDB files.</summary>
internal static class RdbCommand
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create()
    {
        var rdb = new Command("rdb", "Read, verify and inspect Redis RDB files");
        rdb.Subcommands.Add(CreateVerify());
        rdb.Subcommands.Add(CreateInspect());
        return rdb;
    }

    private static Command CreateVerify()
    {
        var file = new Argument<FileInfo>("file") { Description = "RDB file to verify" };
        var verify = new Command("verify", "Check structure and CRC64; exit 0 with a summary, 1 with the error and its byte offset");
        verify.Arguments.Add(file);
        verify.SetAction((parseResult, cancellationToken) => RunAsync(parseResult.GetValue(file)!, census =>
        {
            Console.Out.WriteLine(Summary(census));
        }, null, cancellationToken));
        return verify;
    }

    private static Command CreateInspect()
    {
        var file = new Argument<FileInfo>("file") { Description = "RDB file to inspect" };
        var json = new Option<bool>("--json") { Description = "Print the census as one JSON object" };
        var top = new Option<int>("--top") { Description = "How many of the largest keys to list", DefaultValueFactory = _ => 10 };
        var inspect = new Command("inspect", "Verify and print the census: version, aux fields, databases, types, largest keys");
        inspect.Arguments.Add(file);
        inspect.Options.Add(json);
        inspect.Options.Add(top);
        inspect.SetAction((parseResult, cancellationToken) =>
        {
            bool asJson = parseResult.GetValue(json);
            return RunAsync(parseResult.GetValue(file)!, census =>
            {
                Console.Out.WriteLine(asJson ? JsonSerializer.Serialize(census, JsonOptions) : Report(census));
            }, new RdbVerifyOptions { LargestKeys = Math.Max(0, parseResult.GetValue(top)) }, cancellationToken);
        });
        return inspect;
    }

    private static async Task<int> RunAsync(FileInfo file, Action<RdbCensus> print, RdbVerifyOptions? options, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
            RdbCensus census = RdbVerifier.Verify(stream, options ?? new RdbVerifyOptions { LargestKeys = 0 }, cancellationToken);
            print(census);
            return 0;
        }
        catch (RdbFormatException e)
        {
            await Console.Error.WriteLineAsync($"{file.Name}: INVALID at byte {e.Offset}: {e.Reason}");
            return 1;
        }
        catch (IOException e)
        {
            await Console.Error.WriteLineAsync($"{file.Name}: {e.Message}");
            return 1;
        }
        catch (UnauthorizedAccessException e)
        {
            await Console.Error.WriteLineAsync($"{file.Name}: {e.Message}");
            return 1;
        }
    }

    internal static string Summary(RdbCensus census)
    {
        string checksum = census.ChecksumVerified ? "CRC64 ok" : census.Checksum is null ? "no CRC64 (RDB < 5)" : "CRC64 disabled (0)";
        string functions = census.Functions > 0 ? string.Create(CultureInfo.InvariantCulture, $", {census.Functions} function librar{(census.Functions == 1 ? "y" : "ies")}") : string.Empty;
        return string.Create(CultureInfo.InvariantCulture,
            $"OK {(census.Flavor == "redis" ? string.Empty : "Valkey ")}RDB v{census.RdbVersion}{(census.RedisVersion is null ? string.Empty : $" ({census.Flavor} {census.RedisVersion})")}: {census.TotalKeys} keys in {census.Databases.Count} db(s){functions}, {census.Bytes} bytes, {checksum}");
    }

    private static string Report(RdbCensus census)
    {
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.AppendLine(Summary(census));
        text.AppendLine(inv, $"flavor: {census.Flavor}, rdb_version: {census.RdbVersion}, checksum: {census.Checksum ?? "-"}, trailing bytes: {census.TrailingBytes}");
        text.AppendLine("aux:");
        foreach ((string key, string value) in census.Aux)
        {
            text.AppendLine(inv, $"  {key} = {value}");
        }

        text.AppendLine("databases:");
        foreach (RdbDatabaseCensus db in census.Databases)
        {
            text.AppendLine(inv, $"  db{db.Db}: keys={db.Keys} expires={db.Expires} already_expired={db.AlreadyExpired} empty={db.EmptyKeys}");
        }

        text.AppendLine("types:");
        foreach ((string encoding, long count) in census.Encodings)
        {
            text.AppendLine(inv, $"  {encoding}: {count}");
        }

        if (census.Functions > 0)
        {
            text.AppendLine(inv, $"functions: {string.Join(", ", census.FunctionLibraries)}");
        }

        if (census.Modules.Count > 0)
        {
            text.AppendLine(inv, $"modules: {string.Join(", ", census.Modules)}");
        }

        if (census.Largest.Count > 0)
        {
            text.AppendLine("largest keys:");
            foreach (RdbLargestKey key in census.Largest)
            {
                text.AppendLine(inv, $"  {key.Size,12}  db{key.Db}  {key.Type}/{key.Encoding}  {key.Key}");
            }
        }

        return text.ToString().TrimEnd();
    }
}

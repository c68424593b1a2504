using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Dcsd.Rdb.Tool;

/// <summary>
/// <c>dcs rdb verify|inspect</c>: offline checks of RDB files. The same commands run in the native <c>dcs-rdb</c>
/// program (what the <c>dcs</c> script runs) and under <c>dcs rdb</c> in the JIT-compiled CLI.
/// </summary>
internal static class RdbCommand
{
    // Source-generated serialization: the native build has no reflection-based serializer.
    private static readonly RdbCensusJsonContext Json = new(new JsonSerializerOptions
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    /// <summary>The <c>rdb</c> command of the <c>dcs</c> CLI.</summary>
    public static Command Create()
    {
        var rdb = new Command("rdb", "Read, verify and inspect Redis RDB files");
        foreach (Command command in CreateSubcommands())
        {
            rdb.Subcommands.Add(command);
        }

        return rdb;
    }

    /// <summary><c>verify</c> and <c>inspect</c>, for the <c>rdb</c> command or the root of <c>dcs-rdb</c>.</summary>
    public static IEnumerable<Command> CreateSubcommands() => [CreateVerify(), CreateInspect()];

    private static Command CreateVerify()
    {
        var file = new Argument<FileInfo>("file") { Description = "RDB file to verify" };
        var verify = new Command("verify", "Check structure and CRC64; exit 0 with a summary, 1 with the error and its byte offset");
        verify.Arguments.Add(file);
        verify.SetAction((parseResult, cancellationToken) => Task.FromResult(Run(
            parseResult, parseResult.GetValue(file)!, new RdbVerifyOptions { LargestKeys = 0 }, Summary, cancellationToken)));
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
            var options = new RdbVerifyOptions { LargestKeys = Math.Max(0, parseResult.GetValue(top)) };
            return Task.FromResult(Run(parseResult, parseResult.GetValue(file)!, options,
                census => asJson ? JsonSerializer.Serialize(census, Json.RdbCensus) : Report(census), cancellationToken));
        });
        return inspect;
    }

    /// <summary>Verifies <paramref name="file"/>; prints the census as <paramref name="format"/> makes it, or the defect.</summary>
    private static int Run(ParseResult parseResult, FileInfo file, RdbVerifyOptions options, Func<RdbCensus, string> format, CancellationToken cancellationToken)
    {
        // The invocation's writers, not Console: tests run the commands in-process and compare with the native program.
        TextWriter output = parseResult.InvocationConfiguration.Output;
        TextWriter error = parseResult.InvocationConfiguration.Error;
        try
        {
            using var stream = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
            RdbCensus census = RdbVerifier.Verify(stream, options, cancellationToken);
            output.WriteLine(format(census));
            return 0;
        }
        catch (RdbFormatException e)
        {
            error.WriteLine($"{file.Name}: INVALID at byte {e.Offset}: {e.Reason}");
            return 1;
        }
        catch (IOException e)
        {
            error.WriteLine($"{file.Name}: {e.Message}");
            return 1;
        }
        catch (UnauthorizedAccessException e)
        {
            error.WriteLine($"{file.Name}: {e.Message}");
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

[JsonSerializable(typeof(RdbCensus))]
internal sealed partial class RdbCensusJsonContext : JsonSerializerContext;

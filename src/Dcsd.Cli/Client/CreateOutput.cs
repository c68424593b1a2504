using System.Text.Json.Nodes;

namespace Dcsd.Cli.Client;

/// <summary>What a `create` command prints: the answer at once, or with --wait the record it waited for and the exit code of its end.</summary>
internal static class CreateOutput
{
    /// <summary>After a create: the body with --json, else a sentence.</summary>
    public static void WriteCreated(DcsReply reply, bool asJson, string sentence)
    {
        if (asJson)
        {
            ClientCommand.PrintRaw(reply);
        }
        else
        {
            Console.Out.WriteLine(sentence);
        }
    }

    /// <summary>After a --wait: the final record (JSON or in words) and the exit code its status means.</summary>
    public static int Finish(JsonNode? record, bool asJson, string success, Action<JsonNode> write)
    {
        if (record is null)
        {
            return ExitCodes.Interrupted;
        }

        if (asJson)
        {
            Console.Out.WriteLine(record.ToJsonString());
        }
        else
        {
            write(record);
        }

        string status = (string?)record["status"] ?? "";
        if (status == success)
        {
            return ExitCodes.Ok;
        }

        string code = (string?)record["error_code"] ?? status;
        string message = (string?)record["error_message"] ?? (string?)record["error_msg"] ?? $"ended {status}";
        Console.Error.WriteLine($"dcs: {code}: {message}");
        return ExitCodes.JobFailed;
    }
}

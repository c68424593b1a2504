using System.Globalization;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace Dcsd.Cli.Client;

/// <summary>A table of DCS records: each column a header and how to read its cell from one record.</summary>
internal sealed class RecordTable(params (string Header, Func<JsonNode, string> Cell)[] columns)
{
    public void Write(IEnumerable<JsonNode?> records, string empty)
    {
        var rows = records.OfType<JsonNode>().ToList();
        if (rows.Count == 0)
        {
            ClientCommand.Out.WriteLine(empty);
            return;
        }

        var table = new Table().Border(TableBorder.Rounded);
        foreach (var (header, _) in columns)
        {
            // Ids, times and addresses are copied and pasted: they never wrap; free text does.
            var column = new TableColumn(Markup.Escape(header));
            table.AddColumn(header is "ID" or "NAME" or "CREATED" or "ADDRESS" or "STATUS" or "PROGRESS" or "SIZE" or "KEYS" or "MEMORY" ? column.NoWrap() : column);
        }

        foreach (var row in rows)
        {
            table.AddRow([.. columns.Select(c => new Text(c.Cell(row)))]);
        }

        ClientCommand.Out.Write(table);
    }

    /// <summary>One record as a two-column grid of field and value, in the order given.</summary>
    public static void WriteFields(JsonNode record, params (string Name, Func<JsonNode, string> Value)[] fields)
    {
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        foreach (var (name, value) in fields)
        {
            grid.AddRow(new Text(name, new Style(decoration: Decoration.Bold)), new Text(value(record)));
        }

        ClientCommand.Out.Write(grid);
    }

    public static string Text(JsonNode record, string field) => record[field] switch
    {
        null => "",
        JsonValue value when value.TryGetValue(out string? text) => text,
        var other => other.ToJsonString(),
    };

    /// <summary>A DCS timestamp (2026-12-06T03:46:56.163Z) to the second, as a table shows it.</summary>
    public static string Time(JsonNode record, string field) =>
        Text(record, field) is { Length: >= 19 } text ? text[..19].Replace('T', ' ') : Text(record, field);

    public static string Bytes(JsonNode record, string field)
    {
        double bytes = record[field] is JsonValue value && value.TryGetValue(out long n) ? n : 0;
        string[] units = ["B", "KB", "MB", "GB", "TB"];
        int unit = 0;
        while (bytes >= 1024 && unit < units.Length - 1)
        {
            bytes /= 1024;
            unit++;
        }

        return unit == 0 ? $"{bytes:0} B" : string.Create(CultureInfo.InvariantCulture, $"{bytes:0.0} {units[unit]}");
    }

    /// <summary>All keys of a backup, from its census; empty before it succeeded.</summary>
    public static string TotalKeys(JsonNode record) => record["content"]?["total_keys"]?.ToJsonString() ?? "";

    /// <summary>The census of a backup (dcsd's <c>content</c>): keys per database and per type, e.g. "db0 10006 · string 10001, hash 1".</summary>
    public static string Census(JsonNode record)
    {
        if (record["content"] is not JsonObject content)
        {
            return "";
        }

        var databases = (content["databases"] as JsonArray ?? []).OfType<JsonNode>().Select(db => $"db{db["db"]} {db["keys"]}").ToList();
        var types = (content["types"] as JsonObject ?? []).Select(t => $"{t.Key} {t.Value}");
        return databases.Count == 0 ? "0 keys" : string.Join(", ", databases) + " · " + string.Join(", ", types);
    }
}

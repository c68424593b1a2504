using System.Text.Json.Nodes;
using Dcsd.Testing;

namespace Dcsd.Rdb.Tests;

/// <summary>Decoded content equals the expected output that ships with the fixtures.</summary>
public sealed class ExpectedContentTests
{
    public static TheoryData<string> HdtFixturesWithJson()
    {
        var data = new TheoryData<string>();
        foreach (string json in Directory.EnumerateFiles(Path.Combine(SharedFiles.RdbFixtures, "HDT3213-rdb"), "*.json").Order(StringComparer.Ordinal))
        {
            if (File.Exists(Path.ChangeExtension(json, ".rdb")))
            {
                data.Add(Path.GetFileNameWithoutExtension(json));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(HdtFixturesWithJson))]
    public void HDT3213_expected_json_matches(string name)
    {
        string folder = Path.Combine(SharedFiles.RdbFixtures, "HDT3213-rdb");
        JsonArray expected = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, name + ".json")))!.AsArray();
        var expectedKeys = expected
            .Select(node => node!.AsObject())
            .Where(node => (string?)node["type"] is not ("aux" or "functions"))
            .Select(DecodedJson.Canonical)
            .Order(StringComparer.Ordinal)
            .ToList();
        var ourKeys = DecodedJson.ReadAll(Path.Combine(folder, name + ".rdb"))
            .Select(DecodedJson.Canonical)
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.Equal(expectedKeys.Count, ourKeys.Count);
        for (int i = 0; i < expectedKeys.Count; i++)
        {
            Assert.Equal(expectedKeys[i], ourKeys[i]);
        }
    }
}

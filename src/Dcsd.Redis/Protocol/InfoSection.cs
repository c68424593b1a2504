using System.Globalization;

namespace Dcsd.Redis.Protocol;

/// <summary>
/// The text of an INFO reply, parsed once into its <c>field:value</c> lines. Typed views read from it:
/// <see cref="ReplicationInfo"/>, <see cref="Keyspace"/>, and the few single fields the engines need.
/// </summary>
public sealed class InfoSection
{
    private readonly Dictionary<string, string> _fields = new(StringComparer.Ordinal);

    private InfoSection(string text)
    {
        foreach (string rawLine in text.Split('\n'))
        {
            string line = rawLine.TrimEnd('\r');
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (line.Length > 0 && line[0] != '#' && colon > 0)
            {
                _fields[line[..colon]] = line[(colon + 1)..];
            }
        }
    }

    public static InfoSection Parse(string? text) => new(text ?? string.Empty);

    public IReadOnlyDictionary<string, string> Fields => _fields;

    public string? Get(string field) => _fields.GetValueOrDefault(field);

    public long? GetLong(string field) =>
        long.TryParse(Get(field), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value) ? value : null;

    /// <summary><c>field:1</c>.</summary>
    public bool IsSet(string field) => Get(field) == "1";

    /// <summary>redis_version of INFO server.</summary>
    public Version? RedisVersion => Version.TryParse(Get("redis_version"), out Version? version) ? version : null;

    /// <summary>The <c>dbN:keys=…,expires=…</c> lines of INFO keyspace.</summary>
    public IReadOnlyList<KeyspaceEntry> Keyspace =>
        [.. _fields
            .Where(line => line.Key.StartsWith("db", StringComparison.Ordinal)
                && int.TryParse(line.Key.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .Select(line => new KeyspaceEntry(
                int.Parse(line.Key.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture),
                Attribute(line.Value, "keys") ?? 0,
                Attribute(line.Value, "expires") ?? 0))
            .OrderBy(entry => entry.Db)];

    /// <summary>Keys over all databases.</summary>
    public long TotalKeys => Keyspace.Sum(entry => entry.Keys);

    /// <summary>One <c>name=value</c> of a comma-separated field (<c>db0:keys=1,expires=0</c>, <c>slave0:ip=…,port=…</c>).</summary>
    internal static long? Attribute(string value, string name) =>
        long.TryParse(AttributeText(value, name), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long number) ? number : null;

    internal static string? AttributeText(string value, string name)
    {
        foreach (string pair in value.Split(','))
        {
            int equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && pair.AsSpan(0, equals).SequenceEqual(name))
            {
                return pair[(equals + 1)..];
            }
        }

        return null;
    }
}

/// <summary>One database of INFO keyspace.</summary>
public sealed record KeyspaceEntry(int Db, long Keys, long Expires);

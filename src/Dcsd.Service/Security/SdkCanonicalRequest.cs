using System.Text;

namespace Dcsd.Service.Security;

/// <summary>
/// Builds the SDK-HMAC-SHA256 canonical request the way the Huawei Cloud SDKs do (NET Signer.cs/HttpEncoder.cs, GO signer.go/escape.go;
/// dcs-api.md §6.2 steps 4–8). The server decodes what arrived on the wire and re-encodes it the SDK way, so a client's own choice of
/// escaping (space as <c>+</c> or <c>%20</c>, lower- or upper-case hex) does not matter.
/// </summary>
internal static class SdkCanonicalRequest
{
    public static string Build(SdkSignedRequest request, IReadOnlyList<string> signedHeaders, string? hostOverride = null)
    {
        var builder = new StringBuilder(256);
        builder.Append(request.Method).Append('\n');
        AppendCanonicalUri(builder, request.RawPath);
        builder.Append('\n');
        AppendCanonicalQuery(builder, request.RawQuery);
        builder.Append('\n');
        foreach (var name in signedHeaders)
        {
            IReadOnlyList<string> values = hostOverride is not null && string.Equals(name, "host", StringComparison.OrdinalIgnoreCase)
                ? [hostOverride]
                : request.HeaderValues(name);
            // NET and GO sort the values of a repeated header and emit each on its own line; a signed header that is absent emits nothing.
            foreach (var value in values.Order(StringComparer.Ordinal))
            {
                builder.Append(name).Append(':').Append(value.Trim()).Append('\n');
            }
        }

        builder.Append('\n');
        builder.AppendJoin(';', signedHeaders).Append('\n');
        builder.Append(request.PayloadHash);
        return builder.ToString();
    }

    /// <summary>Each path segment percent-decoded then re-encoded, joined by <c>/</c>, always ending with <c>/</c>.</summary>
    public static void AppendCanonicalUri(StringBuilder builder, string rawPath)
    {
        int start = builder.Length;
        var segments = rawPath.Split('/');
        for (int i = 0; i < segments.Length; i++)
        {
            if (i > 0)
            {
                builder.Append('/');
            }

            AppendEncoded(builder, Uri.UnescapeDataString(segments[i]));
        }

        if (builder.Length == start || builder[^1] != '/')
        {
            builder.Append('/');
        }
    }

    /// <summary>Pairs sorted by key then value (byte order of UTF-8, as GO's sort.Strings), <c>enc(k)=enc(v)</c>, joined by <c>&amp;</c>; <c>k=</c> kept.</summary>
    public static void AppendCanonicalQuery(StringBuilder builder, string rawQuery)
    {
        var pairs = ParseQuery(rawQuery);
        pairs.Sort(static (a, b) =>
        {
            int byKey = CompareUtf8(a.Key, b.Key);
            return byKey != 0 ? byKey : CompareUtf8(a.Value, b.Value);
        });
        for (int i = 0; i < pairs.Count; i++)
        {
            if (i > 0)
            {
                builder.Append('&');
            }

            AppendEncoded(builder, pairs[i].Key);
            builder.Append('=');
            AppendEncoded(builder, pairs[i].Value);
        }
    }

    /// <summary>Splits a raw query into decoded pairs; <c>+</c> means space, as in form encoding and GO's url.ParseQuery.</summary>
    public static List<KeyValuePair<string, string>> ParseQuery(string rawQuery)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var part in rawQuery.TrimStart('?').Split('&'))
        {
            if (part.Length == 0)
            {
                continue;
            }

            int equals = part.IndexOf('=', StringComparison.Ordinal);
            var key = equals < 0 ? part : part[..equals];
            var value = equals < 0 ? string.Empty : part[(equals + 1)..];
            pairs.Add(new(Decode(key), Decode(value)));
        }

        return pairs;
    }

    /// <summary>Percent-encodes everything outside <c>A–Z a–z 0–9 - _ . ~</c> as <c>%XX</c> with upper-case hex over UTF-8.</summary>
    public static void AppendEncoded(StringBuilder builder, string value)
    {
        foreach (byte b in Encoding.UTF8.GetBytes(value))
        {
            if (b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9'
                or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append("0123456789ABCDEF"[b >> 4]).Append("0123456789ABCDEF"[b & 0xF]);
            }
        }
    }

    private static string Decode(string component) => Uri.UnescapeDataString(component.Replace('+', ' '));

    private static int CompareUtf8(string a, string b) =>
        Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b));
}

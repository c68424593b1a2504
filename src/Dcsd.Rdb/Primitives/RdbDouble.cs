using System.Globalization;
using System.Text;

namespace Dcsd.Rdb.Primitives;

/// <summary>Score text as Redis writes and parses it (strtod/"%lg": inf, -inf, nan, decimal or exponent forms).</summary>
internal static class RdbDouble
{
    public static bool TryParse(ReadOnlySpan<byte> text, out double value)
    {
        if (text.Length == 0 || text.Length > 512)
        {
            value = 0;
            return false;
        }

        Span<char> chars = stackalloc char[text.Length];
        for (int i = 0; i < text.Length; i++)
        {
            chars[i] = (char)text[i];
        }

        ReadOnlySpan<char> s = chars;
        if (s.Equals("inf", StringComparison.OrdinalIgnoreCase) || s.Equals("+inf", StringComparison.OrdinalIgnoreCase) || s.Equals("infinity", StringComparison.OrdinalIgnoreCase))
        {
            value = double.PositiveInfinity;
            return true;
        }

        if (s.Equals("-inf", StringComparison.OrdinalIgnoreCase) || s.Equals("-infinity", StringComparison.OrdinalIgnoreCase))
        {
            value = double.NegativeInfinity;
            return true;
        }

        if (s.Equals("nan", StringComparison.OrdinalIgnoreCase))
        {
            value = double.NaN;
            return true;
        }

        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>The shortest round-trip text for a score, in the forms Redis accepts (inf, -inf).</summary>
    public static string Format(double value) =>
        double.IsPositiveInfinity(value) ? "inf"
        : double.IsNegativeInfinity(value) ? "-inf"
        : value.ToString("R", CultureInfo.InvariantCulture);

    public static byte[] FormatBytes(double value) => Encoding.ASCII.GetBytes(Format(value));
}

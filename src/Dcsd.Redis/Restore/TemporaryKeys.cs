using System.Text;
using Dcsd.Redis.Cluster;

namespace Dcsd.Redis.Restore;

/// <summary>
/// Names of the temporary keys big values are built in before RENAME. The name carries a hash tag chosen so the
/// temporary key lands in the same cluster slot as the real key (RENAME across slots fails in a cluster).
/// </summary>
internal static class TemporaryKeys
{
    private const string Prefix = "dcsd-restore-tmp:";

    // For every slot, the shortest numeric tag (decimal text) that hashes to it: computed once, 16384 small strings.
    private static readonly Lazy<string[]> TagForSlot = new(BuildTagTable);

    public static byte[] For(byte[] key, long sequence)
    {
        string tag = TagForSlot.Value[ClusterSlot.Of(key)];
        return Encoding.ASCII.GetBytes($"{Prefix}{{{tag}}}:{sequence}");
    }

    private static string[] BuildTagTable()
    {
        var table = new string?[ClusterSlot.Count];
        int found = 0;
        for (int candidate = 0; found < ClusterSlot.Count; candidate++)
        {
            string text = candidate.ToString(System.Globalization.CultureInfo.InvariantCulture);
            int slot = ClusterSlot.OfTag(Encoding.ASCII.GetBytes(text));
            if (table[slot] is null)
            {
                table[slot] = text;
                found++;
            }
        }

        return table!;
    }
}

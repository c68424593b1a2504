namespace Dcsd.Rdb;

/// <summary>Module type ids (§2.9): nine 6-bit characters followed by a 10-bit encoding version.</summary>
internal static class ModuleId
{
    private const string Charset = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    public static string Name(ulong id)
    {
        Span<char> name = stackalloc char[9];
        ulong bits = id >> 10;
        for (int j = 0; j < 9; j++)
        {
            name[8 - j] = Charset[(int)((bits >> (6 * j)) & 63)];
        }

        return new string(name);
    }

    public static int EncodingVersion(ulong id) => (int)(id & 1023);
}

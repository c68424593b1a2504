namespace Dcsd.Storage;

/// <summary>Validates store keys so that a key can never escape the store's root.</summary>
public static class BackupKeys
{
    public static void Validate(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        foreach (string segment in key.Split('/'))
        {
            if (segment.Length == 0 || segment == "." || segment == ".." || segment.Contains('\\', StringComparison.Ordinal) || segment.Contains('\0', StringComparison.Ordinal))
            {
                throw new ArgumentException($"invalid backup key '{key}'", nameof(key));
            }
        }
    }
}

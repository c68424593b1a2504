using System.Security.Cryptography;
using System.Text;
using Dcsd.Service.Persistence;

namespace Dcsd.Service.Security;

/// <summary>
/// Encrypts secrets at rest (secret keys, instance passwords) with AES-256-GCM under a key kept in a file readable only by the service
/// user. Output: <c>v1.</c> + base64(nonce ‖ tag ‖ ciphertext). An optional context (e.g. the access key owning the secret) is bound as
/// associated data, so a ciphertext copied onto another row does not decrypt.
/// </summary>
internal sealed class SecretProtector : ISecretCipher
{
    private const string FormatPrefix = "v1.";
    private const int KeySize = 32;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private static readonly byte[] AssociatedDataPrefix = "dcsd-secret-v1\0"u8.ToArray();

    private readonly Lazy<byte[]> _key;

    public SecretProtector(string keyFilePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(keyFilePath);
        KeyFilePath = Path.GetFullPath(keyFilePath);
        // Loaded on first use so that constructing the service graph does not touch the disk.
        _key = new Lazy<byte[]>(() => LoadOrCreateKey(KeyFilePath), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public string KeyFilePath { get; }

    public string Protect(string plaintext, string? context = null)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        var plainBytes = Encoding.UTF8.GetBytes(plaintext);
        var blob = new byte[NonceSize + TagSize + plainBytes.Length];
        var nonce = blob.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using (var aes = new AesGcm(_key.Value, TagSize))
        {
            aes.Encrypt(nonce, plainBytes, blob.AsSpan(NonceSize + TagSize), blob.AsSpan(NonceSize, TagSize), AssociatedData(context));
        }

        CryptographicOperations.ZeroMemory(plainBytes);
        return FormatPrefix + Convert.ToBase64String(blob);
    }

    /// <exception cref="SecretDecryptionException">The value is not ours, was altered, was made under another key or for another context.</exception>
    public string Unprotect(string protectedValue, string? context = null)
    {
        ArgumentNullException.ThrowIfNull(protectedValue);
        if (!protectedValue.StartsWith(FormatPrefix, StringComparison.Ordinal))
        {
            throw new SecretDecryptionException("The protected value has an unknown format.");
        }

        byte[] blob;
        try
        {
            blob = Convert.FromBase64String(protectedValue[FormatPrefix.Length..]);
        }
        catch (FormatException e)
        {
            throw new SecretDecryptionException("The protected value is not valid base64.", e);
        }

        if (blob.Length < NonceSize + TagSize)
        {
            throw new SecretDecryptionException("The protected value is truncated.");
        }

        var plainBytes = new byte[blob.Length - NonceSize - TagSize];
        try
        {
            using var aes = new AesGcm(_key.Value, TagSize);
            aes.Decrypt(blob.AsSpan(0, NonceSize), blob.AsSpan(NonceSize + TagSize), blob.AsSpan(NonceSize, TagSize), plainBytes, AssociatedData(context));
            return Encoding.UTF8.GetString(plainBytes);
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new SecretDecryptionException("The protected value was altered or was made under another key.", e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plainBytes);
        }
    }

    private static byte[] AssociatedData(string? context) =>
        [.. AssociatedDataPrefix, .. Encoding.UTF8.GetBytes(context ?? string.Empty)];

    private static byte[] LoadOrCreateKey(string path)
    {
        if (!File.Exists(path))
        {
            TryCreateKeyFile(path);
        }

        // Like ssh with its private keys: a key others can read is treated as leaked, not silently used.
        var mode = File.GetUnixFileMode(path);
        if ((mode & ~OwnerOnly) != 0)
        {
            throw new InvalidOperationException($"The secret key file {path} must be readable only by its owner (chmod 600); its mode is {Convert.ToString((int)mode, 8)}.");
        }

        var key = File.ReadAllBytes(path);
        if (key.Length != KeySize)
        {
            throw new InvalidOperationException($"The secret key file {path} must hold exactly {KeySize} bytes.");
        }

        return key;
    }

    /// <summary>
    /// Writes a fresh key to a temporary file created 0600 from the start, then moves it into place without overwriting, so a crash
    /// never leaves a half-written key and two processes racing on first start end up sharing one key.
    /// </summary>
    private static void TryCreateKeyFile(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp-" + Guid.NewGuid().ToString("N");
        var key = RandomNumberGenerator.GetBytes(KeySize);
        try
        {
            using (var stream = new FileStream(temporary, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerOnly }))
            {
                stream.Write(key);
                stream.Flush(flushToDisk: true);
            }

            // The umask can only remove bits, but set the mode explicitly so the file is 0600 whatever created it.
            File.SetUnixFileMode(temporary, OwnerOnly);
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created the key first; use theirs.
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            File.Delete(temporary);
        }
    }
}

using System.Security.Cryptography;

namespace Dcsd.Service.Security;

/// <summary>Makes new AK/SK pairs shaped like Huawei Cloud's: a 20-character upper-case access key and a 40-character secret.</summary>
internal static class CredentialGenerator
{
    private const string AccessKeyAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private const string SecretKeyAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    public const int AccessKeyLength = 20;
    public const int SecretKeyLength = 40;

    /// <summary>A fresh credential for <paramref name="projectId"/>; GetItems draws without modulo bias from the CSPRNG.</summary>
    public static StoredCredential Create(string projectId, TimeProvider? clock = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(projectId);
        var accessKey = new string(RandomNumberGenerator.GetItems<char>(AccessKeyAlphabet, AccessKeyLength));
        var secretKey = new string(RandomNumberGenerator.GetItems<char>(SecretKeyAlphabet, SecretKeyLength));
        return new StoredCredential(accessKey, projectId, secretKey, (clock ?? TimeProvider.System).GetUtcNow());
    }
}

namespace Dcsd.Service.Security;

/// <summary>A protected secret could not be decrypted: altered, truncated, or made under another key or context.</summary>
internal sealed class SecretDecryptionException : Exception
{
    public SecretDecryptionException()
    {
    }

    public SecretDecryptionException(string message)
        : base(message)
    {
    }

    public SecretDecryptionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

namespace Dcsd.Service.Persistence;

/// <summary>
/// Encrypts a secret column at rest (an instance password), bound to its row's id so a value copied to another row does not
/// decrypt. Persistence only asks for this; Security's key-file protector provides it.
/// </summary>
internal interface ISecretCipher
{
    string Protect(string plaintext, string? context = null);

    string Unprotect(string protectedValue, string? context = null);
}

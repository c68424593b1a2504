using Dcsd.Service.Security;
using Dcsd.Testing;

namespace Dcsd.Service.Tests.Security;

public sealed class SecretProtectorTests : IDisposable
{
    private readonly TempDirectory _directory = new("dcsd-secret");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Round_trips_and_never_outputs_the_plaintext()
    {
        var protector = new SecretProtector(_directory.Combine("data", "secret.key"));
        const string secret = "s3cr3t-Ünïcödé-一二三";

        var protectedValue = protector.Protect(secret);

        Assert.DoesNotContain(secret, protectedValue, StringComparison.Ordinal);
        Assert.Equal(secret, protector.Unprotect(protectedValue));
        Assert.NotEqual(protectedValue, protector.Protect(secret)); // fresh nonce each time
    }

    [Fact]
    public void Key_file_is_created_on_first_use_with_mode_0600_and_32_bytes()
    {
        var path = _directory.Combine("data", "secret.key");
        var protector = new SecretProtector(path);
        Assert.False(File.Exists(path));

        protector.Protect("x");

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(32, new FileInfo(path).Length);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp-*"));
    }

    [Fact]
    public void A_second_protector_on_the_same_key_file_reads_the_first_ones_output()
    {
        var path = _directory.Combine("secret.key");
        var protectedValue = new SecretProtector(path).Protect("shared");

        Assert.Equal("shared", new SecretProtector(path).Unprotect(protectedValue));
    }

    [Theory]
    [InlineData("flip a ciphertext byte")]
    [InlineData("flip a tag byte")]
    [InlineData("truncate")]
    [InlineData("not base64")]
    [InlineData("unknown format")]
    public void Tampering_throws_a_typed_exception(string how)
    {
        var protector = new SecretProtector(_directory.Combine("secret.key"));
        var protectedValue = protector.Protect("a secret of some length");
        var blob = Convert.FromBase64String(protectedValue["v1.".Length..]);

        var tampered = how switch
        {
            "flip a ciphertext byte" => "v1." + Convert.ToBase64String(Flip(blob, blob.Length - 1)),
            "flip a tag byte" => "v1." + Convert.ToBase64String(Flip(blob, 12)),
            "truncate" => "v1." + Convert.ToBase64String(blob[..20]),
            "not base64" => "v1.***",
            _ => "v2." + protectedValue[3..],
        };

        Assert.Throws<SecretDecryptionException>(() => protector.Unprotect(tampered));
    }

    [Fact]
    public void A_value_bound_to_one_context_does_not_decrypt_under_another()
    {
        var protector = new SecretProtector(_directory.Combine("secret.key"));
        var protectedValue = protector.Protect("sk", context: "AK1");

        Assert.Equal("sk", protector.Unprotect(protectedValue, context: "AK1"));
        Assert.Throws<SecretDecryptionException>(() => protector.Unprotect(protectedValue, context: "AK2"));
        Assert.Throws<SecretDecryptionException>(() => protector.Unprotect(protectedValue));
    }

    [Fact]
    public void Protectors_with_different_keys_cannot_read_each_other()
    {
        var first = new SecretProtector(_directory.Combine("one", "secret.key"));
        var second = new SecretProtector(_directory.Combine("two", "secret.key"));

        Assert.Throws<SecretDecryptionException>(() => second.Unprotect(first.Protect("mine")));
        Assert.Throws<SecretDecryptionException>(() => first.Unprotect(second.Protect("theirs")));
    }

    [Fact]
    public void A_key_file_readable_by_others_is_refused()
    {
        var path = _directory.Combine("secret.key");
        new SecretProtector(path).Protect("x");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var error = Assert.Throws<InvalidOperationException>(() => new SecretProtector(path).Protect("x"));
        Assert.Contains("chmod 600", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_file_of_the_wrong_size_is_refused()
    {
        var path = _directory.Combine("secret.key");
        File.WriteAllBytes(path, new byte[16]);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        Assert.Throws<InvalidOperationException>(() => new SecretProtector(path).Protect("x"));
    }

    private static byte[] Flip(byte[] blob, int index)
    {
        var copy = (byte[])blob.Clone();
        copy[index] ^= 0x01;
        return copy;
    }
}

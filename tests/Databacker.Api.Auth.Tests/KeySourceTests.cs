using System.Security.Cryptography;
using Databacker.Api.Auth.Keys;

namespace Databacker.Api.Auth.Tests;

[TestFixture]
public sealed class KeySourceTests
{
    [Test]
    public async Task Pem_string_source_returns_the_key()
    {
        using var key = EcdsaKey.Generate();
        using var source = new PemStringKeySource(key.ExportPkcs8PrivateKeyPem());

        var loaded = await source.GetKeyAsync();

        Assert.That(loaded.KeyId, Is.EqualTo(key.KeyId));
        Assert.That(await source.GetKeyAsync(), Is.SameAs(loaded));
    }

    [Test]
    public async Task Pem_string_source_decrypts_an_encrypted_key()
    {
        using var key = EcdsaKey.Generate();
        using var source = new PemStringKeySource(key.ExportEncryptedPkcs8PrivateKeyPem("pw"), "pw");

        Assert.That((await source.GetKeyAsync()).KeyId, Is.EqualTo(key.KeyId));
    }

    [Test]
    public void Encrypted_key_without_password_is_refused()
    {
        using var key = EcdsaKey.Generate();
        using var source = new PemStringKeySource(key.ExportEncryptedPkcs8PrivateKeyPem("pw"));

        Assert.ThrowsAsync<CryptographicException>(async () => await source.GetKeyAsync());
    }

    [Test]
    public void Public_key_is_refused_as_a_signing_key()
    {
        using var key = EcdsaKey.Generate();
        using var source = new PemStringKeySource(key.ExportSubjectPublicKeyInfoPem());

        Assert.ThrowsAsync<CryptographicException>(async () => await source.GetKeyAsync());
    }

    [Test]
    public async Task File_source_reads_the_key_file()
    {
        using var key = EcdsaKey.Generate(EcdsaCurve.P384);
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(path, key.ExportPkcs8PrivateKeyPem());
            using var source = new PemFileKeySource(path);

            Assert.That((await source.GetKeyAsync()).KeyId, Is.EqualTo(key.KeyId));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public async Task Environment_source_reads_a_flattened_pem()
    {
        using var key = EcdsaKey.Generate();
        var name = "DATABACKER_TEST_KEY_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(name, key.ExportPkcs8PrivateKeyPem().Replace("\n", "\\n", StringComparison.Ordinal));
        try
        {
            using var source = new EnvironmentVariableKeySource(name);

            Assert.That((await source.GetKeyAsync()).KeyId, Is.EqualTo(key.KeyId));
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Test]
    public void Environment_source_with_unset_variable_fails_clearly()
    {
        using var source = new EnvironmentVariableKeySource("DATABACKER_TEST_KEY_UNSET_" + Guid.NewGuid().ToString("N"));

        var exception = Assert.ThrowsAsync<InvalidOperationException>(async () => await source.GetKeyAsync());
        Assert.That(exception!.Message, Does.Contain("not set"));
    }
}

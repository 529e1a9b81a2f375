using Databacker.Api.Auth.Keys;

namespace Databacker.Samples.Agent;

/// <summary>Reads and writes the instance key file, readable by its owner only where the OS supports it.</summary>
internal static class KeyFile
{
    public static async Task WriteAsync(string path, string pem, CancellationToken cancellationToken)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using var stream = new FileStream(path, options);
        await using var writer = new StreamWriter(stream);
        await writer.WriteAsync(pem.AsMemory(), cancellationToken);
    }

    public static async Task<EcdsaKey> ReadAsync(FileInfo file, CancellationToken cancellationToken)
    {
        if (!file.Exists)
        {
            throw new CommandFailure($"the key file '{file.FullName}' does not exist (create one with: keygen --out {file.Name})");
        }

        var key = EcdsaKey.ImportPem(await File.ReadAllTextAsync(file.FullName, cancellationToken));
        if (!key.HasPrivateKey)
        {
            key.Dispose();
            throw new CommandFailure($"'{file.FullName}' holds a public key; the agent needs its private key");
        }

        return key;
    }
}

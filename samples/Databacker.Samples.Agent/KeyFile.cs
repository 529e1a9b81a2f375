using Databacker.Api.Auth.Keys;

namespace Databacker.Samples.Agent;

/// <summary>Reads and writes the instance key file, readable by its owner only where the OS supports it.</summary>
internal static class KeyFile
{
    // Written to a new owner-only file beside the target and moved over it: overwriting in place (keygen --force) would
    // keep an existing file's wider mode, follow a symbolic link, and leave a half-written key after a crash.
    public static async Task WriteAsync(string path, string pem, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(path);
        var temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            await using (var stream = new FileStream(temporary, options))
            await using (var writer = new StreamWriter(stream))
            {
                await writer.WriteAsync(pem.AsMemory(), cancellationToken);
                await writer.FlushAsync(cancellationToken);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
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

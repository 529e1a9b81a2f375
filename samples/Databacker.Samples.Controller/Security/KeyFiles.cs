using Databacker.Api.Auth.Keys;

namespace Databacker.Samples.Controller.Security;

/// <summary>
/// Private keys kept as PKCS#8 PEM files in the data directory, so a restart signs with the same keys and tokens
/// issued before it stay valid.
/// </summary>
internal static class KeyFiles
{
    public const string SigningKeyFile = "signing-key.pem";
    public const string AdminKeyFile = "admin-key.pem";

    /// <summary>Loads the key in <paramref name="path"/>, creating it first when there is none.</summary>
    public static EcdsaKey LoadOrCreate(string path)
    {
        if (File.Exists(path))
        {
            return EcdsaKey.ImportPem(File.ReadAllText(path));
        }

        using var key = EcdsaKey.Generate();
        WritePrivate(path, key.ExportPkcs8PrivateKeyPem(), overwrite: false);

        // Read back rather than use the new key: another process sharing the data directory may have won the race.
        return EcdsaKey.ImportPem(File.ReadAllText(path));
    }

    /// <summary>
    /// Writes a secret file readable by its owner only, atomically (a reader never sees half of it). Without
    /// <paramref name="overwrite"/> an existing file is kept.
    /// </summary>
    public static void WritePrivate(string path, string content, bool overwrite)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using (var stream = new FileStream(temporary, options))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(content);
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }

            if (overwrite)
            {
                File.Move(temporary, path, overwrite: true);
            }
            else
            {
                try
                {
                    File.Move(temporary, path, overwrite: false);
                }
                catch (IOException) when (File.Exists(path))
                {
                    // Someone else created it first; theirs is kept.
                }
            }
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}

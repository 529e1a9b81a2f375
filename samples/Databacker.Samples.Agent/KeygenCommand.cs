using System.CommandLine;
using Databacker.Api.Auth.Keys;

namespace Databacker.Samples.Agent;

/// <summary><c>keygen --out instance.key</c>: a new P-256 private key (PKCS#8 PEM); prints the public JWK.</summary>
internal static class KeygenCommand
{
    public static Command Create()
    {
        var output = new Option<FileInfo>("--out", "-o")
        {
            Description = "Where to write the new private key (PKCS#8 PEM). Must not exist unless --force is given.",
            Required = true,
        };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing key file." };
        var command = new Command("keygen", "Generates a new P-256 instance key, writes the private key as PKCS#8 PEM and prints the public JWK (what the administrator registers).")
        {
            output,
            force,
        };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(
            async token =>
            {
                var file = parse.GetRequiredValue(output);
                if (file.Exists && !parse.GetValue(force))
                {
                    throw new CommandFailure($"'{file.FullName}' already exists; use --force to overwrite it.");
                }

                using var key = EcdsaKey.Generate();
                file.Directory?.Create();
                await KeyFile.WriteAsync(file.FullName, key.ExportPkcs8PrivateKeyPem(), token);
                Console.WriteLine(key.ToPublicJwk().ToJson());
                Console.Error.WriteLine($"wrote the private key to {file.FullName} (kid {key.KeyId})");
                return ExitCodes.Success;
            },
            ct));
        return command;
    }
}

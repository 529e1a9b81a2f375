using System.CommandLine;
using Databacker.Api.Contracts;

namespace Databacker.Samples.Agent;

/// <summary><c>register</c>: creates the instance through the administration API and prints the id the controller assigned.</summary>
internal static class RegisterCommand
{
    public static Command Create()
    {
        var controller = new Option<string>("--controller") { Description = "The controller's base URL, e.g. http://127.0.0.1:5080.", Required = true };
        var tokenFile = new Option<FileInfo>("--admin-token-file") { Description = "A file holding an administrator bearer token (the controller's --admin-token-file writes one).", Required = true };
        var keyFile = new Option<FileInfo>("--key") { Description = "The instance's private key (from keygen); only its public part is sent.", Required = true };
        var name = new Option<string>("--name") { Description = "The instance's display name.", Required = true };
        var description = new Option<string?>("--description") { Description = "A description of the instance." };
        var services = new Option<string[]>("--service")
        {
            Description = "A service the instance uses (scheduling, reporting); repeat for several. Default: both.",
            DefaultValueFactory = _ => ["scheduling", "reporting"],
            AllowMultipleArgumentsPerToken = true,
        };
        var command = new Command("register", "Creates the instance with its public key through the controller's administration API and prints the instance id.")
        {
            controller, tokenFile, keyFile, name, description, services,
        };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(
            async token =>
            {
                using var key = await KeyFile.ReadAsync(parse.GetRequiredValue(keyFile), token);
                var jwk = key.ToPublicJwk();
                using var admin = AdminApi.Create(RunCommand.CheckController(parse.GetRequiredValue(controller)), AdminApi.ReadToken(parse.GetRequiredValue(tokenFile).FullName));
                var instance = await admin.Client.CreateInstanceAsync(
                    new InstanceCreate
                    {
                        Name = parse.GetRequiredValue(name),
                        Description = parse.GetValue(description),
                        PublicKey = new Jwk { Kty = jwk.Kty, Crv = jwk.Crv, X = jwk.X, Y = jwk.Y, Kid = jwk.Kid, Alg = jwk.Alg, Use = jwk.Use },
                        Services = parse.GetValue(services)!.Select(s => new ServiceName(s)).ToList(),
                    },
                    token);
                Console.WriteLine(instance.Id);
                Console.Error.WriteLine($"registered instance '{instance.Name}' as {instance.Id} with key {string.Join(", ", instance.Keys ?? [])}");
                return ExitCodes.Success;
            },
            ct));
        return command;
    }
}

using Databacker.Api.Client;
using Databacker.Api.Client.Authentication;
using Databacker.Api.Client.DependencyInjection;

namespace Databacker.Samples;

/// <summary>
/// An <see cref="IAdministrationClient"/> for an operator, who is no instance: the SDK's administration client alone
/// (<see cref="DatabackerClientBuilder.BuildAdministrationClient"/>: idempotency keys, retries, routing, media types),
/// with the operator's administrator token as the end user's token, never an agent token. Shared by the agent's
/// <c>register</c> command, the demo and the end-to-end tests.
/// </summary>
internal sealed class AdminApi : IDisposable
{
    private readonly DatabackerAdministrationClient _client;

    private AdminApi(DatabackerAdministrationClient client) => _client = client;

    /// <summary>The administration client.</summary>
    public IAdministrationClient Client => _client.Administration;

    /// <summary>Creates a client for <paramref name="controller"/> that sends <paramref name="adminToken"/>.</summary>
    public static AdminApi Create(Uri controller, string adminToken)
    {
        ArgumentNullException.ThrowIfNull(controller);
        ArgumentException.ThrowIfNullOrWhiteSpace(adminToken);
        return new AdminApi(new DatabackerClientBuilder(o =>
        {
            o.Controller = controller;
            o.UserTokens = new StaticUserTokenSource(adminToken);
            o.Resilience.MaxRetryAttempts = 2;
            o.Resilience.BaseDelay = TimeSpan.FromMilliseconds(200);
            o.Resilience.AttemptTimeout = TimeSpan.FromSeconds(15);
            o.Resilience.TotalTimeout = TimeSpan.FromSeconds(40);
        }).BuildAdministrationClient());
    }

    /// <summary>Reads the administrator token from <paramref name="path"/> (as the controller's <c>--admin-token-file</c> wrote it).</summary>
    public static string ReadToken(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"the admin token file '{Path.GetFullPath(path)}' does not exist", path);
        }

        var token = File.ReadAllText(path).Trim();
        return token.Length > 0 ? token : throw new InvalidDataException($"the admin token file '{Path.GetFullPath(path)}' is empty");
    }

    /// <inheritdoc />
    public void Dispose() => _client.Dispose();
}

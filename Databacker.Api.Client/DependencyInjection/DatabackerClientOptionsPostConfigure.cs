using Microsoft.Extensions.Options;

namespace Databacker.Api.Client.DependencyInjection;

/// <summary>Fills the defaults derived from other settings: the token issuer and client id.</summary>
internal sealed class DatabackerClientOptionsPostConfigure : IPostConfigureOptions<DatabackerClientOptions>
{
    public void PostConfigure(string? name, DatabackerClientOptions options)
    {
        if (options.Token is { } token)
        {
            token.Issuer ??= options.Controller;
            token.ClientId ??= options.InstanceId;
        }
    }
}

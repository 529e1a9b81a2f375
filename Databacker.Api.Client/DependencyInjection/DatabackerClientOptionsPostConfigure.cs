using Microsoft.Extensions.Options;

namespace Databacker.Api.Client.DependencyInjection;

/// <summary>Fills the defaults derived from other settings: the token issuer and client id.</summary>
internal sealed class DatabackerClientOptionsPostConfigure : IPostConfigureOptions<DatabackerClientOptions>
{
    public void PostConfigure(string? name, DatabackerClientOptions options)
    {
        // Filled in a copy: the token settings may be an object the caller shares (a builder's options built twice for two
        // controllers), which must not keep the first controller's issuer and instance id as if the caller had set them.
        if (options.Token is { } token && (token.Issuer is null || token.ClientId is null))
        {
            var filled = token.Copy();
            filled.Issuer ??= options.Controller;
            filled.ClientId ??= options.InstanceId;
            options.Token = filled;
        }
    }
}

using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace Databacker.Api.Server.DependencyInjection;

/// <summary>
/// End-user access tokens from an external authorization server, accepted only on the Administration operations and
/// never in place of an agent token (nor the reverse).
/// </summary>
public sealed class UserTokenOptions
{
    /// <summary>The authorization server (OpenID Connect discovery at <c>{Authority}/.well-known/openid-configuration</c>).</summary>
    public string? Authority { get; set; }

    /// <summary>The metadata document URL, when it is not at the standard place under <see cref="Authority"/>.</summary>
    public string? MetadataAddress { get; set; }

    /// <summary>The issuer of user tokens, when the keys are given in <see cref="SigningKeys"/> instead of an authority.</summary>
    public string? Issuer { get; set; }

    /// <summary>Keys that verify user tokens, when there is no <see cref="Authority"/> to fetch them from.</summary>
    public IList<SecurityKey> SigningKeys { get; } = [];

    /// <summary>The audience user tokens must carry. Required.</summary>
    public string Audience { get; set; } = string.Empty;

    /// <summary>The scope user tokens must carry (in <c>scope</c> or <c>scp</c>). Default <c>admin</c>.</summary>
    public string RequiredScope { get; set; } = "admin";

    /// <summary>The algorithms accepted. Default ES256, ES384, ES512, RS256, PS256.</summary>
    public IList<string> ValidAlgorithms { get; } = [SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512, SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSsaPssSha256];

    /// <summary>Clock skew allowed. Default 30 seconds.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Further configuration of the user scheme's JwtBearer options, applied last (e.g. a backchannel).</summary>
    public Action<JwtBearerOptions>? ConfigureJwtBearer { get; set; }
}

using Databacker.Api.Auth.Issuance;
using Databacker.Api.Auth.Validation;
using Databacker.Api.Contracts;
using Databacker.Api.Server.DependencyInjection;
using Databacker.Api.Server.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using AuthMetadata = Databacker.Api.Auth.Issuance.AuthorizationServerMetadata;

namespace Databacker.Api.Server.Authentication;

/// <summary>
/// The ready-to-use Auth tag: the OAuth 2.0 token endpoint (client credentials, RFC 6749 section 4.4, authenticated
/// with a JWT client assertion, RFC 7523), the authorization server metadata (RFC 8414) and the key set (RFC 7517).
/// Registered by <c>AddDatabackerServer</c> unless <see cref="AuthorizationServerOptions.Enabled"/> is false; an
/// implementer supplies only an <see cref="IInstanceKeyStore"/> and the signing keys.
/// </summary>
public sealed class DatabackerAuthController : AuthControllerBase
{
    private const string GrantType = "client_credentials";
    private readonly ClientAssertionValidator _validator;
    private readonly AccessTokenIssuer _issuer;
    private readonly SigningKeyRing _keyRing;
    private readonly DatabackerServerOptions _options;
    private readonly ILogger<DatabackerAuthController> _logger;

    /// <summary>Creates the controller (by dependency injection).</summary>
    /// <param name="validator">Authenticates clients from their assertions.</param>
    /// <param name="issuer">Issues access tokens.</param>
    /// <param name="keyRing">The signing keys, published in the key set.</param>
    /// <param name="options">The server options.</param>
    /// <param name="logger">The logger.</param>
    public DatabackerAuthController(
        ClientAssertionValidator validator,
        AccessTokenIssuer issuer,
        SigningKeyRing keyRing,
        IOptions<DatabackerServerOptions> options,
        ILogger<DatabackerAuthController> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _validator = validator;
        _issuer = issuer;
        _keyRing = keyRing;
        _options = options.Value;
        _logger = logger;
    }

    /// <inheritdoc />
    public override async Task<ActionResult<TokenResponse>> Token(TokenRequest body, CancellationToken cancellationToken = default)
    {
        Response.Headers.CacheControl = "no-store";
        Response.Headers.Pragma = "no-cache";
        // RFC 6749 section 3.2: parameters must not be sent more than once (form binding would silently take the first).
        if (Request.HasFormContentType && (await Request.ReadFormAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(p => p.Value.Count > 1) is { Key: { } repeated })
        {
            return OAuthError(StatusCodes.Status400BadRequest, "invalid_request", $"{repeated} is given more than once.");
        }

        if (body is null || string.IsNullOrEmpty(body.Grant_type))
        {
            return OAuthError(StatusCodes.Status400BadRequest, "invalid_request", "grant_type is required.");
        }

        if (!string.Equals(body.Grant_type, GrantType, StringComparison.Ordinal))
        {
            return OAuthError(StatusCodes.Status400BadRequest, "unsupported_grant_type", "Only client_credentials is supported.");
        }

        var validation = await _validator.ValidateAsync(
            new ClientAssertionRequest { ClientAssertionType = body.Client_assertion_type, ClientAssertion = body.Client_assertion, ClientId = body.Client_id },
            cancellationToken).ConfigureAwait(false);
        if (!validation.IsValid)
        {
            // RFC 6749 section 5.2: invalid_client may be 401; the precise reason is only in the validator's log.
            Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_client\"";
            return OAuthError(StatusCodes.Status401Unauthorized, validation.Error!, validation.ErrorDescription);
        }

        var scope = string.IsNullOrWhiteSpace(body.Scope)
            ? string.Join(' ', _options.AgentTokens.GetEffectiveScopeAudiences().Keys)
            : body.Scope;
        var issued = _issuer.Issue(validation, scope);
        if (!issued.IsSuccess)
        {
            return OAuthError(StatusCodes.Status400BadRequest, issued.Error!, issued.ErrorDescription);
        }

        ServerLog.TokenIssued(_logger, validation.ClientId!, issued.Scope!);
        var response = new TokenResponse
        {
            Access_token = issued.AccessToken!,
            Token_type = issued.TokenType,
            Expires_in = issued.ExpiresIn,
            Scope = issued.Scope,
        };
        return new ObjectResult(response) { StatusCode = StatusCodes.Status200OK, ContentTypes = { "application/json" } };
    }

    /// <inheritdoc />
    public override Task<ActionResult<Contracts.AuthorizationServerMetadata>> GetMetadata(CancellationToken cancellationToken = default)
    {
        var issuer = new Uri(_options.AgentTokens.Issuer, UriKind.Absolute);
        var metadata = new AuthMetadata(
            issuer,
            _options.AuthorizationServer.TokenEndpoint ?? Under(issuer, "oauth2/token"),
            _options.AuthorizationServer.JwksUri ?? Under(issuer, ".well-known/jwks.json"),
            _options.AgentTokens.GetEffectiveScopeAudiences().Keys);
        return Task.FromResult<ActionResult<Contracts.AuthorizationServerMetadata>>(Json(metadata.ToJson()));
    }

    /// <inheritdoc />
    public override Task<ActionResult<Jwks>> GetJwks(CancellationToken cancellationToken = default) =>
        Task.FromResult<ActionResult<Jwks>>(Json(_keyRing.GetJsonWebKeySet().ToJson()));

    private static Uri Under(Uri issuer, string relative) => new(issuer.AbsoluteUri.TrimEnd('/') + "/" + relative, UriKind.Absolute);

    private ContentResult Json(string json) => new()
    {
        Content = json,
        ContentType = HttpContext.Features.Get<Negotiation.NegotiatedMediaTypes>()?.Response ?? "application/json",
        StatusCode = StatusCodes.Status200OK,
    };

    private ObjectResult OAuthError(int status, string error, string? description)
    {
        ServerLog.TokenRefused(_logger, error);
        return new ObjectResult(new OAuthError { Error = error, Error_description = description })
        {
            StatusCode = status,
            ContentTypes = { "application/json" },
        };
    }
}

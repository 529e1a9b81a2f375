namespace Databacker.Api.Client.Authentication;

/// <summary>The parts of the RFC 8414 authorization server metadata the client uses.</summary>
/// <param name="Issuer">The issuer identifier; also the audience of client assertions.</param>
/// <param name="TokenEndpoint">Where tokens are requested.</param>
public sealed record AuthorizationServerMetadata(string Issuer, Uri TokenEndpoint);

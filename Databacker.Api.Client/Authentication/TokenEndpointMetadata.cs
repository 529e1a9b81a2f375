namespace Databacker.Api.Client.Authentication;

/// <summary>
/// The parts of the RFC 8414 authorization server metadata the token client uses, once validated. Internal: the
/// full document is <c>Databacker.Api.Contracts.AuthorizationServerMetadata</c>, and a second public type of that
/// name would clash for every user importing both namespaces.
/// </summary>
/// <param name="Issuer">The issuer identifier; also the audience of client assertions.</param>
/// <param name="TokenEndpoint">Where tokens are requested.</param>
internal sealed record TokenEndpointMetadata(string Issuer, Uri TokenEndpoint);

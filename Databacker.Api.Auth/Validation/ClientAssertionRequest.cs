namespace Databacker.Api.Auth.Validation;

/// <summary>The client-authentication values of a token request, as posted in the form.</summary>
public sealed class ClientAssertionRequest
{
    /// <summary>The <c>client_assertion_type</c> form value; must be <c>urn:ietf:params:oauth:client-assertion-type:jwt-bearer</c>.</summary>
    public string? ClientAssertionType { get; init; }

    /// <summary>The <c>client_assertion</c> form value: the signed JWT.</summary>
    public string? ClientAssertion { get; init; }

    /// <summary>The optional <c>client_id</c> form value; when present it must equal the assertion's <c>sub</c>.</summary>
    public string? ClientId { get; init; }
}

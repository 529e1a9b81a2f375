namespace Databacker.Api.Auth.Validation;

/// <summary>
/// The outcome of validating a client assertion. Every failure looks the same (RFC 6749 <c>invalid_client</c>); the
/// precise reason is only written to the server log.
/// </summary>
public sealed class ClientAssertionValidationResult
{
    private static readonly ClientAssertionValidationResult[] Failures =
        [.. Enum.GetValues<ClientAssertionRejectionReason>().Select(reason => new ClientAssertionValidationResult(null, reason))];

    private ClientAssertionValidationResult(string? clientId, ClientAssertionRejectionReason? reason, string? keyId = null)
    {
        ClientId = clientId;
        Reason = reason;
        KeyId = keyId;
    }

    /// <summary>Whether the client is authenticated.</summary>
    public bool IsValid => Reason is null;

    /// <summary>The authenticated client (instance) id; null on failure.</summary>
    public string? ClientId { get; }

    /// <summary>The id of the registered key the assertion was verified with; null on failure. An access token issued on
    /// this authentication names it (<see cref="Issuance.AccessTokenIssuer.InstanceKeyIdClaim"/>), so that removing the
    /// key also ends the tokens obtained with it.</summary>
    public string? KeyId { get; }

    /// <summary>The RFC 6749 error code, <c>invalid_client</c>, on failure; null on success.</summary>
    public string? Error => IsValid ? null : "invalid_client";

    /// <summary>A deliberately uninformative description on failure; null on success.</summary>
    public string? ErrorDescription => IsValid ? null : "Client authentication failed.";

    /// <summary>The precise reason, for logs and tests only; never sent to the client.</summary>
    internal ClientAssertionRejectionReason? Reason { get; }

    internal static ClientAssertionValidationResult Success(string clientId, string keyId) => new(clientId, null, keyId);

    internal static ClientAssertionValidationResult Failure(ClientAssertionRejectionReason reason) => Failures[(int)reason];
}

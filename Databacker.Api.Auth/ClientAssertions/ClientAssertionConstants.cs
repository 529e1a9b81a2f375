namespace Databacker.Api.Auth.ClientAssertions;

/// <summary>Protocol values for JWT client authentication (RFC 7523, RFC 7521).</summary>
public static class ClientAssertionConstants
{
    /// <summary>The <c>typ</c> header of a client assertion.</summary>
    public const string TokenType = "client-authentication+jwt";

    /// <summary>The <c>client_assertion_type</c> form value for a JWT assertion.</summary>
    public const string AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    /// <summary>The longest lifetime (<c>exp</c> - <c>iat</c>) a client assertion may have, in seconds.</summary>
    public const int MaxLifetimeSeconds = 60;
}

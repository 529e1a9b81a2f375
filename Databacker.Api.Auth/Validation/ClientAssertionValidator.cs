using System.Text;
using System.Text.Json;
using Databacker.Api.Auth.ClientAssertions;
using Databacker.Api.Auth.Keys;
using Databacker.Api.Auth.Replay;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Reason = Databacker.Api.Auth.Validation.ClientAssertionRejectionReason;

namespace Databacker.Api.Auth.Validation;

/// <summary>
/// Authenticates a client at the token endpoint from its RFC 7523 JWT assertion, more strictly than the libraries'
/// defaults: the header is parsed and checked here before Microsoft.IdentityModel verifies the signature, keys are
/// looked up only among the claimed client's own keys, only the key's one algorithm is accepted, <c>aud</c> must be
/// exactly the issuer, lifetimes are short, and each (client, <c>jti</c>) is accepted once.
/// </summary>
/// <remarks>
/// Every failure returns the same <c>invalid_client</c> result; the precise reason goes to the log only. The key
/// store and replay cache may throw (for example when a database is down); those exceptions propagate, since they
/// are server errors rather than client authentication failures.
/// </remarks>
public sealed class ClientAssertionValidator
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 16 };
    private static readonly string[] EmbeddedKeyHeaders = ["jwk", "jku", "x5u", "x5c"];
    private const string MediaTypePrefix = "application/";
    private const int MaxTokenIdLength = 256;
    private const long MaxNumericDate = 253402300799; // 9999-12-31T23:59:59Z

    private readonly IInstanceKeyStore _keyStore;
    private readonly IReplayCache _replayCache;
    private readonly ClientAssertionValidationOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly JsonWebTokenHandler _handler;

    /// <summary>Creates the validator; the options are validated now.</summary>
    /// <param name="keyStore">Finds the registered keys of the claimed client.</param>
    /// <param name="replayCache">Remembers used (client, <c>jti</c>) pairs.</param>
    /// <param name="options">Issuer, lifetime, skew and size limits.</param>
    /// <param name="logger">Receives the precise rejection reasons; nothing is logged when null.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when null.</param>
    /// <exception cref="OptionsValidationException">The options are invalid.</exception>
    public ClientAssertionValidator(
        IInstanceKeyStore keyStore,
        IReplayCache replayCache,
        IOptions<ClientAssertionValidationOptions> options,
        ILogger<ClientAssertionValidator>? logger = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(keyStore);
        ArgumentNullException.ThrowIfNull(replayCache);
        ArgumentNullException.ThrowIfNull(options);
        _keyStore = keyStore;
        _replayCache = replayCache;
        _options = options.Value;
        _options.Validate();
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _handler = new JsonWebTokenHandler { MaximumTokenSizeInBytes = _options.MaxTokenSize };
    }

    /// <summary>Validates the client authentication of a token request.</summary>
    /// <param name="request">The form values.</param>
    /// <param name="cancellationToken">Cancels the key lookup and replay check.</param>
    /// <returns>Success with the client id, or the one <c>invalid_client</c> failure.</returns>
    public async Task<ClientAssertionValidationResult> ValidateAsync(ClientAssertionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var claimedClient = "(unknown)";

        ClientAssertionValidationResult Reject(Reason reason)
        {
            ClientAssertionValidatorLog.Rejected(_logger, reason, claimedClient);
            return ClientAssertionValidationResult.Failure(reason);
        }

        if (!string.Equals(request.ClientAssertionType, ClientAssertionConstants.AssertionType, StringComparison.Ordinal))
        {
            return Reject(Reason.InvalidAssertionType);
        }

        var token = request.ClientAssertion;
        if (string.IsNullOrEmpty(token))
        {
            return Reject(Reason.MissingAssertion);
        }

        if (token.Length > _options.MaxTokenSize || Encoding.UTF8.GetByteCount(token) > _options.MaxTokenSize)
        {
            return Reject(Reason.TooLarge);
        }

        // --- Shape: compact JWS only. ---
        if (token.AsSpan().TrimStart().StartsWith("{"))
        {
            return Reject(Reason.JsonSerialization);
        }

        var parts = token.Split('.');
        if (parts.Length == 5)
        {
            return Reject(Reason.Encrypted);
        }

        if (parts.Length != 3 || !Base64UrlText.TryDecode(parts[0], out var headerBytes))
        {
            return Reject(Reason.Malformed);
        }

        // --- Header, parsed here so every rule is explicit. ---
        using var header = TryParseObject(headerBytes, out var headerDuplicate);
        if (header is null)
        {
            return Reject(Reason.MalformedHeader);
        }

        if (headerDuplicate)
        {
            return Reject(Reason.DuplicateMember);
        }

        var h = header.RootElement;
        if (!TryGetString(h, "alg", out var alg))
        {
            return Reject(Reason.MalformedHeader);
        }

        if (string.Equals(alg, "none", StringComparison.OrdinalIgnoreCase))
        {
            return Reject(Reason.AlgorithmNone);
        }

        if (alg.StartsWith("HS", StringComparison.OrdinalIgnoreCase) || alg.Contains("hmac", StringComparison.OrdinalIgnoreCase))
        {
            return Reject(Reason.AlgorithmHmac);
        }

        // Ordinal: "es256" and URI forms such as http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256 are not accepted.
        if (alg is not ("ES256" or "ES384" or "ES512"))
        {
            return Reject(Reason.AlgorithmUnsupported);
        }

        if (h.TryGetProperty("crit", out _))
        {
            return Reject(Reason.CriticalHeader);
        }

        foreach (var name in EmbeddedKeyHeaders)
        {
            if (h.TryGetProperty(name, out _))
            {
                // Keys carried by the token are never fetched or trusted.
                return Reject(Reason.EmbeddedKeyHeader);
            }
        }

        if (h.TryGetProperty("enc", out _) || h.TryGetProperty("zip", out _))
        {
            return Reject(Reason.Encrypted);
        }

        if (!TryGetString(h, "typ", out var typ) || !IsClientAssertionType(typ))
        {
            return Reject(Reason.InvalidType);
        }

        if (!TryGetString(h, "kid", out var kid) || kid.Length == 0)
        {
            return Reject(Reason.MissingKeyId);
        }

        // The signature is decoded only now, so an unsigned "alg": "none" token is reported as such above.
        if (parts[2].Length == 0
            || !Base64UrlText.TryDecode(parts[1], out var payloadBytes)
            || !Base64UrlText.TryDecode(parts[2], out var signature))
        {
            return Reject(Reason.Malformed);
        }

        // --- Claims. ---
        using var payload = TryParseObject(payloadBytes, out var payloadDuplicate);
        if (payload is null)
        {
            return Reject(Reason.MalformedPayload);
        }

        if (payloadDuplicate)
        {
            return Reject(Reason.DuplicateMember);
        }

        var p = payload.RootElement;
        if (!TryGetString(p, "sub", out var sub) || sub.Length == 0)
        {
            return Reject(Reason.MissingSubject);
        }

        claimedClient = Printable(sub);
        if (!TryGetString(p, "iss", out var iss) || iss.Length == 0)
        {
            return Reject(Reason.MissingIssuer);
        }

        if (!string.Equals(iss, sub, StringComparison.Ordinal))
        {
            return Reject(Reason.IssuerSubjectMismatch);
        }

        if (request.ClientId is not null && !string.Equals(request.ClientId, sub, StringComparison.Ordinal))
        {
            return Reject(Reason.ClientIdMismatch);
        }

        if (!p.TryGetProperty("aud", out var aud) || aud.ValueKind != JsonValueKind.String)
        {
            // Arrays are refused outright, even with the issuer as their one element.
            return Reject(Reason.AudienceNotSingleString);
        }

        if (!string.Equals(aud.GetString(), _options.Issuer, StringComparison.Ordinal))
        {
            return Reject(Reason.AudienceMismatch);
        }

        if (!TryGetNumericDate(p, "exp", out var exp))
        {
            return Reject(Reason.MissingExpiration);
        }

        if (!TryGetNumericDate(p, "iat", out var iat))
        {
            return Reject(Reason.MissingIssuedAt);
        }

        if (!TryGetString(p, "jti", out var jti) || jti.Length is 0 or > MaxTokenIdLength)
        {
            return Reject(Reason.MissingTokenId);
        }

        var now = _timeProvider.GetUtcNow();
        var skew = _options.ClockSkew;
        if (exp <= iat)
        {
            return Reject(Reason.ExpirationNotAfterIssuedAt);
        }

        if (exp - iat > _options.MaxLifetime)
        {
            return Reject(Reason.LifetimeTooLong);
        }

        if (iat > now + skew)
        {
            return Reject(Reason.IssuedInFuture);
        }

        if (iat < now - _options.MaxLifetime - skew)
        {
            return Reject(Reason.IssuedTooLongAgo);
        }

        if (exp + skew <= now)
        {
            return Reject(Reason.Expired);
        }

        if (p.TryGetProperty("nbf", out _) && (!TryGetNumericDate(p, "nbf", out var nbf) || nbf > now + skew))
        {
            return Reject(Reason.NotYetValid);
        }

        // --- Key: only among the claimed client's own keys; kid is an opaque, exact lookup value. ---
        var keys = await _keyStore.GetKeysAsync(sub, cancellationToken).ConfigureAwait(false);
        if (keys is null || keys.Count == 0)
        {
            return Reject(Reason.UnknownClient);
        }

        RegisteredInstanceKey? registered = null;
        foreach (var candidate in keys)
        {
            if (string.Equals(candidate.KeyId, kid, StringComparison.Ordinal))
            {
                registered = candidate;
                break;
            }
        }

        if (registered is null)
        {
            return Reject(Reason.UnknownKey);
        }

        EcdsaKey key;
        try
        {
            key = EcdsaKey.ImportPublicJwk(registered.PublicKey);
        }
        catch (InvalidPublicKeyException exception)
        {
            ClientAssertionValidatorLog.RegisteredKeyInvalid(_logger, claimedClient, exception.Reason.ToString());
            return Reject(Reason.InvalidRegisteredKey);
        }

        using (key)
        {
            if (!string.Equals(alg, key.Algorithm, StringComparison.Ordinal))
            {
                return Reject(Reason.AlgorithmMismatch);
            }

            // JOSE ECDSA signatures are r || s, each exactly the coordinate length (RFC 7518 section 3.4); DER is refused.
            if (signature.Length != 2 * key.Info.CoordinateLength)
            {
                return Reject(Reason.SignatureNotRawForm);
            }

            var parameters = new TokenValidationParameters
            {
                IssuerSigningKey = key.ToSecurityKey(registered.KeyId),
                TryAllIssuerSigningKeys = false,
                ValidAlgorithms = [key.Algorithm],
                RequireSignedTokens = true,
                ValidateIssuerSigningKey = false,
                ValidateIssuer = true,
                ValidIssuer = sub,
                ValidateAudience = true,
                ValidAudience = _options.Issuer,
                IgnoreTrailingSlashWhenValidatingAudience = false,
                // Lifetime was checked above through the TimeProvider; the library would use the system clock.
                ValidateLifetime = false,
                RequireExpirationTime = true,
                TypeValidator = (type, _, _) => type, // Already checked above, with the media-type prefix rule.
                ValidateTokenReplay = false,
            };

            var result = await _handler.ValidateTokenAsync(token, parameters).ConfigureAwait(false);
            if (!result.IsValid)
            {
                if (result.Exception is SecurityTokenInvalidSignatureException or SecurityTokenSignatureKeyNotFoundException)
                {
                    return Reject(Reason.SignatureInvalid);
                }

                ClientAssertionValidatorLog.LibraryRejected(_logger, result.Exception?.GetType().Name ?? "unknown", claimedClient);
                return Reject(Reason.LibraryRejected);
            }
        }

        // --- Replay: only now that the signature is verified, so forgeries cannot fill the cache or burn jti values. ---
        if (!await _replayCache.TryAddAsync(sub, jti, exp + skew, cancellationToken).ConfigureAwait(false))
        {
            return Reject(Reason.Replay);
        }

        ClientAssertionValidatorLog.Accepted(_logger, claimedClient, Printable(kid));
        return ClientAssertionValidationResult.Success(sub, registered.KeyId);
    }

    private static bool IsClientAssertionType(string typ)
    {
        var value = typ.AsSpan();
        if (value.StartsWith(MediaTypePrefix, StringComparison.OrdinalIgnoreCase))
        {
            value = value[MediaTypePrefix.Length..];
        }

        // Media types compare case-insensitively (RFC 7515 section 4.1.9, RFC 2045).
        return value.Equals(ClientAssertionConstants.TokenType, StringComparison.OrdinalIgnoreCase);
    }

    private static JsonDocument? TryParseObject(byte[] utf8, out bool hasDuplicate)
    {
        hasDuplicate = false;

        // The parser does not check the UTF-8 inside strings; reading such a name or value later would throw (a 500
        // for any caller). Invalid UTF-8 is a malformed segment.
        if (!System.Text.Unicode.Utf8.IsValid(utf8))
        {
            return null;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8, DocumentOptions);
        }
        catch (JsonException)
        {
            return null;
        }

        // A lone surrogate escape ("\ud800") parses, but reading it as a string later would throw.
        if (document.RootElement.ValueKind != JsonValueKind.Object || !JsonText.IsReadable(document.RootElement))
        {
            document.Dispose();
            return null;
        }

        // Duplicate names are refused: parsers disagree on which one wins.
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (!names.Add(property.Name))
            {
                hasDuplicate = true;
                break;
            }
        }

        return document;
    }

    private static bool TryGetString(JsonElement element, string name, out string value)
    {
        if (element.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.String)
        {
            value = property.GetString()!;
            return true;
        }

        value = string.Empty;
        return false;
    }

    private static bool TryGetNumericDate(JsonElement element, string name, out DateTimeOffset value)
    {
        value = default;
        if (!element.TryGetProperty(name, out var property) || property.ValueKind != JsonValueKind.Number
            || !property.TryGetDouble(out var seconds) || double.IsNaN(seconds) || seconds < 0 || seconds > MaxNumericDate)
        {
            return false;
        }

        value = DateTimeOffset.FromUnixTimeSeconds((long)Math.Floor(seconds));
        return true;
    }

    /// <summary>Makes a claimed, untrusted value safe for a log line: short, with control characters replaced.</summary>
    private static string Printable(string value)
    {
        var shortened = value.Length <= 128 ? value : value[..128];
        return string.Create(shortened.Length, shortened, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
            }
        });
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Databacker.Api.Client.Exceptions;
using Databacker.Api.Client.Pipeline;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Databacker.Api.Client.Authentication;

/// <summary>
/// Obtains access tokens with the OAuth 2.0 client credentials grant (RFC 6749 §4.4), authenticating with a signed
/// JWT client assertion (RFC 7523 §2.2). The token endpoint and issuer are read once from the authorization server
/// metadata (RFC 8414) at <c>/.well-known/oauth-authorization-server</c>. When the configured issuer answers there with
/// a permanent move (301/308, the spec's partial endpoint serving the Auth tag elsewhere) to another metadata URL over
/// https (http only on loopback), the authorization server it names becomes the issuer: at most five moves. This trusts
/// the configured issuer's word as far as the metadata's own <c>token_endpoint</c> already does (which may name any
/// https origin): the assertion is made out to the issuer it is sent to (<c>aud</c>), so it is worth nothing elsewhere,
/// and the access token obtained still goes only to the API's trusted origins.
/// </summary>
/// <remarks>
/// The <see cref="HttpClient"/> given here must not contain an <see cref="AccessTokenHandler"/> (it would ask itself
/// for a token). 429 and 503 answers with <c>Retry-After</c> are waited out up to
/// <see cref="TokenOptions.MaxRetryAfter"/>, at most <see cref="TokenOptions.MaxAttempts"/> tries.
/// </remarks>
public sealed class TokenClient : IAccessTokenClient
{
    private const string JwtBearerAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    private const int MaxBodyChars = 64 * 1024;

    private readonly HttpClient _http;
    private readonly TokenOptions _options;
    private readonly IClientAssertionProvider _assertions;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _metadataGate = new(1, 1);
    private TokenEndpointMetadata? _metadata;

    /// <summary>Creates the client.</summary>
    /// <param name="http">The HTTP client for the metadata and token endpoints (without bearer-token handler).</param>
    /// <param name="options">The options; validated here.</param>
    /// <param name="assertions">Signs the client assertions.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="logger">Where progress is logged; never the token or assertion.</param>
    public TokenClient(HttpClient http, TokenOptions options, IClientAssertionProvider assertions, TimeProvider? timeProvider = null, ILogger<TokenClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _http = http ?? throw new ArgumentNullException(nameof(http));
        _options = options;
        _assertions = assertions ?? throw new ArgumentNullException(nameof(assertions));
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Reads the authorization server metadata once and returns it from then on (until the token endpoint it names answers 404, 410 or a permanent move).</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The issuer and token endpoint.</returns>
    /// <exception cref="TokenRequestException">The metadata is missing, malformed, or names another issuer.</exception>
    internal async Task<TokenEndpointMetadata> GetMetadataAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _metadata) is { } known)
        {
            return known;
        }

        await _metadataGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_metadata is { } raced)
            {
                return raced;
            }

            var metadata = await ReadMetadataAsync(cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _metadata, metadata);
            AuthenticationLog.MetadataRead(_logger, metadata.Issuer, metadata.TokenEndpoint);
            return metadata;
        }
        finally
        {
            _metadataGate.Release();
        }
    }

    /// <inheritdoc />
    public async Task<AccessToken> RequestTokenAsync(CancellationToken cancellationToken)
    {
        var metadata = await GetMetadataAsync(cancellationToken).ConfigureAwait(false);
        for (var attempt = 1; ; attempt++)
        {
            var assertion = await _assertions.CreateAssertionAsync(metadata.Issuer, cancellationToken).ConfigureAwait(false);
            var form = new List<KeyValuePair<string, string>>
            {
                new("grant_type", "client_credentials"),
                new("client_assertion_type", JwtBearerAssertionType),
                new("client_assertion", assertion),
            };
            if (!string.IsNullOrEmpty(_options.ClientId))
            {
                form.Add(new("client_id", _options.ClientId));
            }

            if (!string.IsNullOrEmpty(_options.Scope))
            {
                form.Add(new("scope", _options.Scope));
            }

            using var request = new HttpRequestMessage(HttpMethod.Post, metadata.TokenEndpoint) { Content = new FormUrlEncodedContent(form) };
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            var issuedAt = _time.GetUtcNow();
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            var body = await ReadBodyAsync(response, cancellationToken).ConfigureAwait(false);

            if (response.IsSuccessStatusCode)
            {
                var token = ParseToken(body, issuedAt, request, response);
                AuthenticationLog.TokenObtained(_logger, token.ExpiresAt);
                return token;
            }

            var retryAfter = RetryAfter.Read(response, _time.GetUtcNow());
            if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable
                && retryAfter is { } delay && delay <= _options.MaxRetryAfter && attempt < _options.MaxAttempts)
            {
                AuthenticationLog.TokenEndpointBusy(_logger, response.StatusCode, delay);
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone or HttpStatusCode.MovedPermanently or HttpStatusCode.PermanentRedirect)
            {
                // The token endpoint is no longer where the metadata said: read the metadata again on the next request
                // instead of failing until the process restarts.
                Interlocked.CompareExchange(ref _metadata, null, metadata);
            }

            throw ParseError(body, request, response, retryAfter);
        }
    }

    private async Task<TokenEndpointMetadata> ReadMetadataAsync(CancellationToken cancellationToken)
    {
        var issuer = _options.Issuer!;
        var metadataUri = MetadataUriOf(issuer);
        for (var moves = 0; ; moves++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, metadataUri);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode is HttpStatusCode.MovedPermanently or HttpStatusCode.PermanentRedirect && moves < MaxMetadataMoves)
            {
                // The spec's partial endpoint: the controller an agent is given may serve the Auth tag elsewhere and
                // answer 301 there; the authorization server it names is then the issuer (nothing secret is sent here).
                issuer = MovedIssuer(metadataUri, response, request);
                AuthenticationLog.MetadataMoved(_logger, metadataUri, issuer);
                metadataUri = MetadataUriOf(issuer);
                continue;
            }

            var body = await ReadBodyAsync(response, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new TokenRequestException(
                    $"The authorization server metadata at {metadataUri} answered {(int)response.StatusCode}.",
                    ApiCallDetailsReader.Describe(request, response), retryAfter: RetryAfter.Read(response, _time.GetUtcNow()));
            }

            return ParseMetadata(body, issuer, metadataUri, request, response);
        }
    }

    private const int MaxMetadataMoves = 5;
    private const string WellKnownPath = "/.well-known/oauth-authorization-server";

    // RFC 8414 §3: the well-known segment goes between the host and the issuer's path.
    private static Uri MetadataUriOf(Uri issuer) =>
        new(issuer.GetLeftPart(UriPartial.Authority) + WellKnownPath + issuer.AbsolutePath.TrimEnd('/'));

    // The issuer whose metadata a 301/308 points to: an absolute (or relative) well-known metadata URL, over https (http
    // on loopback only, and never from https), without a query or fragment.
    private static Uri MovedIssuer(Uri from, HttpResponseMessage response, HttpRequestMessage request)
    {
        var location = response.Headers.Location;
        if (location is not null && !location.IsAbsoluteUri)
        {
            location = new Uri(from, location);
        }

        if (location is null
            || (location.Scheme != Uri.UriSchemeHttps && location.Scheme != Uri.UriSchemeHttp)
            || !Origin.IsSecureTransport(location)
            || (from.Scheme == Uri.UriSchemeHttps && location.Scheme != Uri.UriSchemeHttps)
            || location.Query.Length > 0 || location.Fragment.Length > 0
            || !location.AbsolutePath.StartsWith(WellKnownPath, StringComparison.Ordinal)
            || (location.AbsolutePath.Length > WellKnownPath.Length && location.AbsolutePath[WellKnownPath.Length] != '/'))
        {
            throw new TokenRequestException(
                $"The authorization server metadata at {from} moved to '{response.Headers.Location}', which is not authorization server metadata over https (http only on loopback).",
                ApiCallDetailsReader.Describe(request, response));
        }

        return new Uri(location.GetLeftPart(UriPartial.Authority) + location.AbsolutePath[WellKnownPath.Length..]);
    }

    private static TokenEndpointMetadata ParseMetadata(string body, Uri issuer, Uri metadataUri, HttpRequestMessage request, HttpResponseMessage response)
    {

        string? issuerValue = null, tokenEndpoint = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                issuerValue = StringMember(document.RootElement, "issuer");
                tokenEndpoint = StringMember(document.RootElement, "token_endpoint");
            }
        }
        catch (JsonException)
        {
            // Reported below as malformed metadata.
        }

        // RFC 8414 §3.3: the issuer in the document must be identical to the one the client was configured with.
        // An empty path and "/" are the same URI (RFC 3986 §6.2.3); nothing else is lenient.
        var expected = issuer.OriginalString;
        if (issuerValue is null || !(string.Equals(issuerValue, expected, StringComparison.Ordinal)
            || string.Equals(issuerValue, issuer.AbsoluteUri, StringComparison.Ordinal)
            || (issuer.AbsolutePath == "/" && string.Equals(issuerValue + "/", issuer.AbsoluteUri, StringComparison.Ordinal))))
        {
            throw new TokenRequestException(
                $"The authorization server metadata at {metadataUri} names issuer '{issuerValue}', not the configured '{expected}'.",
                ApiCallDetailsReader.Describe(request, response));
        }

        if (!Uri.TryCreate(tokenEndpoint, UriKind.Absolute, out var endpoint) || !Origin.IsSecureTransport(endpoint))
        {
            throw new TokenRequestException(
                $"The authorization server metadata at {metadataUri} has no usable token_endpoint (absolute https, http only on loopback): '{tokenEndpoint}'.",
                ApiCallDetailsReader.Describe(request, response));
        }

        return new TokenEndpointMetadata(issuerValue, endpoint);
    }

    private const double MinLifetimeSeconds = 1;
    private const double MaxLifetimeSeconds = 24 * 60 * 60;

    private AccessToken ParseToken(string body, DateTimeOffset issuedAt, HttpRequestMessage request, HttpResponseMessage response)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            var value = root.ValueKind == JsonValueKind.Object ? StringMember(root, "access_token") : null;
            var type = root.ValueKind == JsonValueKind.Object ? StringMember(root, "token_type") : null;
            if (string.IsNullOrEmpty(value) || !string.Equals(type, "Bearer", StringComparison.OrdinalIgnoreCase))
            {
                throw new TokenRequestException(
                    "The token endpoint answered without a bearer access_token.", ApiCallDetailsReader.Describe(request, response));
            }

            // A value that cannot go in an Authorization header (a trailing newline, a space) would fail or be refused on
            // every call for the token's whole lifetime: refused here instead, and not kept.
            if (!UserTokenHandler.IsBearerToken(value))
            {
                throw new TokenRequestException(
                    "The token endpoint answered with an access_token that is not an RFC 6750 bearer token (spaces, line breaks or other characters).",
                    ApiCallDetailsReader.Describe(request, response));
            }

            var lifetime = _options.DefaultLifetime;
            if (root.TryGetProperty("expires_in", out var expiresIn) && expiresIn.ValueKind == JsonValueKind.Number
                && expiresIn.TryGetDouble(out var seconds) && seconds > 0)
            {
                // The server's word, within reason: a lifetime of years would overflow the clock arithmetic (and keep a
                // token far beyond any rotation), one of a fraction of a second would expire before its first use.
                lifetime = TimeSpan.FromSeconds(Math.Clamp(seconds, MinLifetimeSeconds, MaxLifetimeSeconds));
            }

            return new AccessToken(value, issuedAt, issuedAt + lifetime, StringMember(root, "scope"));
        }
        catch (JsonException ex)
        {
            throw new TokenRequestException("The token endpoint answered with malformed JSON.", ApiCallDetailsReader.Describe(request, response), innerException: ex);
        }
    }

    private static TokenRequestException ParseError(string body, HttpRequestMessage request, HttpResponseMessage response, TimeSpan? retryAfter)
    {
        string? error = null, description = null, uri = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                error = StringMember(document.RootElement, "error");
                description = StringMember(document.RootElement, "error_description");
                uri = StringMember(document.RootElement, "error_uri");
            }
        }
        catch (JsonException)
        {
            // Not RFC 6749 error JSON: the status code tells what happened.
        }

        var message = error is null
            ? $"The token endpoint answered {(int)response.StatusCode} {response.StatusCode}."
            : $"The token endpoint refused the request: {error}{(description is null ? string.Empty : $" ({description})")}.";
        if (retryAfter is { } delay)
        {
            message += $" It asked to retry after {delay}.";
        }

        return new TokenRequestException(message, ApiCallDetailsReader.Describe(request, response), error, description, uri, retryAfter);
    }

    private static async Task<string> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        // Read only up to the limit: an endless answer (no length) must not be held whole.
        return await ApiCallDetailsReader.ReadAtMostAsync(response.Content, MaxBodyChars, cancellationToken).ConfigureAwait(false) ?? string.Empty;
    }

    private static string? StringMember(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

using System.Net;
using System.Net.Http.Headers;
using Databacker.Api.Client.Pipeline;
using Databacker.Api.Client.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Databacker.Api.Client.Authentication;

/// <summary>
/// Attaches this instance's bearer token to requests for trusted origins, over https (or plain http to loopback
/// only). On a 401 from such an origin it refreshes the token once, only if the refused token is still the cached
/// one, and resends once; it never loops.
/// </summary>
public sealed class AccessTokenHandler : DelegatingHandler
{
    /// <summary>Set to <see langword="true"/> in <see cref="HttpRequestMessage.Options"/> to send a request without a token.</summary>
    public static readonly HttpRequestOptionsKey<bool> Anonymous = new("Databacker.Api.Client.Anonymous");

    private readonly AccessTokenProvider _tokens;
    private readonly TrustedOriginRegistry _trustedOrigins;
    private readonly ILogger _logger;

    // The header of the last token sent: built once per token, not per call (the value is immutable, so sharing it
    // between concurrent requests is safe).
    private BearerHeader? _lastHeader;

    /// <summary>Creates the handler.</summary>
    /// <param name="tokens">The token cache; share one per instance identity.</param>
    /// <param name="trustedOrigins">The origins the token may go to; the same registry as the <see cref="RoutingHandler"/>'s.</param>
    /// <param name="logger">Where refusals and refreshes are logged; never the token.</param>
    public AccessTokenHandler(AccessTokenProvider tokens, TrustedOriginRegistry trustedOrigins, ILogger<AccessTokenHandler>? logger = null)
    {
        _tokens = tokens ?? throw new ArgumentNullException(nameof(tokens));
        _trustedOrigins = trustedOrigins ?? throw new ArgumentNullException(nameof(trustedOrigins));
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var uri = request.RequestUri;
        var anonymous = request.Options.TryGetValue(Anonymous, out var skip) && skip;
        var stripped = request.Options.TryGetValue(PipelineOptionKeys.CredentialsStripped, out var s) && s;
        if (anonymous || uri is null || stripped || !_trustedOrigins.IsTrusted(uri) || !Origin.IsSecureTransport(uri))
        {
            if (!anonymous && uri is not null)
            {
                AuthenticationLog.TokenWithheld(_logger, uri);
            }

            if (stripped)
            {
                request.Headers.Authorization = null;
            }

            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var body = await RequestBody.CaptureAsync(request, cancellationToken).ConfigureAwait(false);
        var token = await _tokens.GetTokenAsync(cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = HeaderFor(token);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        AuthenticationLog.Unauthorized(_logger, request.Method, uri);
        if (!body.CanReplay)
        {
            // Not sent again (its streamed body is gone), but the rejected token is not offered to the next call either.
            _tokens.Forget(token);
            return response;
        }

        AccessToken fresh;
        try
        {
            fresh = await _tokens.RefreshAfterRejectionAsync(token, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // The 401 is not handed to anyone: release its connection.
            response.Dispose();
            throw;
        }

        if (ReferenceEquals(fresh, token))
        {
            return response;
        }

        response.Dispose();
        var resend = RequestReplay.Clone(request, uri, body);
        resend.Headers.Authorization = HeaderFor(fresh);
        return await base.SendAsync(resend, cancellationToken).ConfigureAwait(false);
    }

    private AuthenticationHeaderValue HeaderFor(AccessToken token)
    {
        var last = Volatile.Read(ref _lastHeader);
        if (last is null || !ReferenceEquals(last.Token, token))
        {
            last = new BearerHeader(token, new AuthenticationHeaderValue("Bearer", token.Value));
            Volatile.Write(ref _lastHeader, last);
        }

        return last.Header;
    }

    private sealed record BearerHeader(AccessToken Token, AuthenticationHeaderValue Header);
}

using System.Net;
using System.Net.Http.Headers;
using Databacker.Api.Client.Exceptions;
using Databacker.Api.Client.Pipeline;
using Databacker.Api.Client.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Databacker.Api.Client.Authentication;

/// <summary>
/// Attaches an end user's bearer token from an <see cref="IUserTokenSource"/>, for the administration client: in the
/// place of the <see cref="AccessTokenHandler"/>, so the instance's agent token never goes to administration routes.
/// The token goes only to trusted origins over https (or plain http to loopback); on a 401 the source may supply a new
/// token, and the request is resent once. Without a source, every request fails with
/// <see cref="UserTokenRequiredException"/> before anything is sent.
/// </summary>
public sealed class UserTokenHandler : DelegatingHandler
{
    private readonly IUserTokenSource? _tokens;
    private readonly TrustedOriginRegistry _trustedOrigins;
    private readonly ILogger _logger;

    /// <summary>Creates the handler.</summary>
    /// <param name="tokens">The end user's tokens; <see langword="null"/> when none is configured (every call then fails).</param>
    /// <param name="trustedOrigins">The origins the token may go to; the same registry as the <see cref="RoutingHandler"/>'s.</param>
    /// <param name="logger">Where refusals are logged; never the token.</param>
    public UserTokenHandler(IUserTokenSource? tokens, TrustedOriginRegistry trustedOrigins, ILogger<UserTokenHandler>? logger = null)
    {
        _tokens = tokens;
        _trustedOrigins = trustedOrigins ?? throw new ArgumentNullException(nameof(trustedOrigins));
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var uri = request.RequestUri;

        // Whatever happens below, no other credential (an agent token set by a caller) rides along.
        request.Headers.Authorization = null;
        if (request.Options.TryGetValue(AccessTokenHandler.Anonymous, out var anonymous) && anonymous)
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        // The source of the caller's scope (set by the administration client resolved there), else this handler's own.
        var tokens = request.Options.TryGetValue(PipelineOptionKeys.UserTokens, out var callers) ? callers : _tokens;
        if (tokens is null)
        {
            throw new UserTokenRequiredException(
                $"{request.Method} {uri} was not sent: administration routes need an end user's token, and none is configured. " +
                "Set DatabackerClientOptions.UserTokens (e.g. new StaticUserTokenSource(token)) or register an IUserTokenSource with AddDatabackerUserTokens; " +
                "the instance's agent token is never sent to administration routes.",
                new ApiCallDetails { RequestMethod = request.Method, RequestUri = uri });
        }

        var stripped = request.Options.TryGetValue(PipelineOptionKeys.CredentialsStripped, out var s) && s;
        if (uri is null || stripped || !_trustedOrigins.IsTrusted(uri) || !Origin.IsSecureTransport(uri))
        {
            if (uri is not null)
            {
                UserTokenLog.TokenWithheld(_logger, uri);
            }

            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var body = await RequestBody.CaptureAsync(request, cancellationToken).ConfigureAwait(false);
        var token = Checked(await tokens.GetTokenAsync(cancellationToken).ConfigureAwait(false));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized || !body.CanReplay)
        {
            return response;
        }

        UserTokenLog.Unauthorized(_logger, request.Method, uri);
        string? fresh;
        try
        {
            fresh = await tokens.RefreshAfterRejectionAsync(token, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // The 401 is not handed to anyone: release its connection.
            response.Dispose();
            throw;
        }

        if (fresh is null || string.Equals(fresh, token, StringComparison.Ordinal))
        {
            return response;
        }

        response.Dispose();
        var resend = RequestReplay.Clone(request, uri, body);
        resend.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Checked(fresh));
        return await base.SendAsync(resend, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether <paramref name="value"/> is an RFC 6750 <c>b64token</c>: what may follow <c>Bearer </c> in a header.</summary>
    internal static bool IsBearerToken(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        var end = value.Length;
        while (end > 0 && value[end - 1] == '=')
        {
            end--;
        }

        if (end == 0)
        {
            return false;
        }

        for (var i = 0; i < end; i++)
        {
            var c = value[i];
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~' or '+' or '/'))
            {
                return false;
            }
        }

        return true;
    }

    private static string Checked(string? token) => IsBearerToken(token)
        ? token!
        : throw new InvalidOperationException(
            "The IUserTokenSource returned a value that is not an RFC 6750 bearer token (empty, or holding spaces, line breaks or other characters); it was not sent.");
}

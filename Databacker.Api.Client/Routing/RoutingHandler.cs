using System.Diagnostics;
using System.Net;
using Databacker.Api.Client.Diagnostics;
using Databacker.Api.Client.Exceptions;
using Databacker.Api.Client.Pipeline;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Databacker.Api.Client.Routing;

/// <summary>
/// Implements the API's endpoint rules (spec, "Endpoints"): follows 301, 307 and 308 with the same method, headers
/// and body; remembers 301 and 308 in a <see cref="RouteTable"/>; turns 410 into
/// <see cref="EndpointNotImplementedException"/> and 404 into <see cref="ResourceNotFoundException"/>; refuses
/// 302/303, loops, too many hops, https→http and (by default) moves to untrusted origins with
/// <see cref="RedirectException"/>; removes credentials before any hop to an untrusted origin.
/// </summary>
/// <remarks>
/// The primary handler must not follow redirects itself (see <see cref="DatabackerPipeline.EnsureAutomaticRedirectsDisabled"/>):
/// .NET's own redirect handling turns a 301 on POST into a body-less GET and hides the move. A small body is
/// buffered once and sent fresh on every hop; a streamed body (<see cref="StreamContent"/>) is sent with
/// <c>Expect: 100-continue</c>, so that a redirect usually arrives before the body is sent and the body can still be
/// sent to the new place; if it was already consumed, <see cref="RequestNotReplayableException"/> is thrown.
/// </remarks>
public sealed class RoutingHandler : DelegatingHandler
{
    private static readonly string[] AlwaysCredentialHeaders = ["Authorization", "Cookie"];

    private readonly RoutingOptions _options;
    private readonly RouteTable _routes;
    private readonly TrustedOriginRegistry _trustedOrigins;
    private readonly ILogger _logger;

    /// <summary>Creates the handler.</summary>
    /// <param name="options">Default options; validated here.</param>
    /// <param name="routes">The route table, shared by every client of the same endpoint configuration.</param>
    /// <param name="trustedOrigins">The origins credentials may go to; share it with the <see cref="Authentication.AccessTokenHandler"/>.</param>
    /// <param name="logger">Where hops and refusals are logged.</param>
    public RoutingHandler(RoutingOptions options, RouteTable routes, TrustedOriginRegistry trustedOrigins, ILogger<RoutingHandler>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _routes = routes ?? throw new ArgumentNullException(nameof(routes));
        _trustedOrigins = trustedOrigins ?? throw new ArgumentNullException(nameof(trustedOrigins));
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>The route table this handler reads and fills.</summary>
    public RouteTable Routes => _routes;

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.RequestUri is not { IsAbsoluteUri: true } requested)
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var options = _options;
        if (request.Options.TryGetValue(RoutingOptions.RequestOptionsKey, out var overridden) && !ReferenceEquals(overridden, _options))
        {
            overridden.Validate();
            options = overridden;
        }

        var body = await RequestBody.CaptureAsync(request, cancellationToken).ConfigureAwait(false);
        var current = FirstHop(requested, options);
        if (!ReferenceEquals(current, requested))
        {
            RoutingLog.UsingRememberedRoute(_logger, request.Method, requested, current);
        }

        // The redirect chain is recorded only once a redirect is followed: until then it is just the hop's own URI, which
        // is what a reader finds without the entry (RequestReplay.ChainOf), so a call that is not redirected allocates
        // neither the list nor the option. From the first redirect on it is set on the message every later hop is
        // cloned from, and each clone shares it.
        List<Uri>? chain = null;

        // The first hop to the requested URI itself may go out as the message this handler was given when that message
        // is already a copy the pipeline made for this one send (the resilience handler's attempt), saving a clone per
        // call. The handlers below then set its Authorization header, so later hops, cloned from it, drop that header
        // again: each hop gets exactly the credentials of its own origin, never the previous hop's.
        var sendAsIs = ReferenceEquals(current, requested) && RequestReplay.IsPipelineCopy(request)
            && !request.Headers.NonValidated.Contains("Authorization");

        // Once the chain has passed through an origin that is not trusted (followed without credentials), no later hop
        // carries credentials, whatever its origin: that origin chose where the chain goes next.
        var afterUntrusted = !ReferenceEquals(current, requested) && IsUntrusted(requested, current);
        for (var hop = 0; ; hop++)
        {
            HttpRequestMessage hopRequest;
            if (hop == 0 && sendAsIs)
            {
                hopRequest = request;
                if (body.IsStreamed)
                {
                    request.Headers.ExpectContinue = true;
                }
            }
            else
            {
                hopRequest = CreateHop(request, requested, current, body, options, afterUntrusted);
                if (sendAsIs)
                {
                    hopRequest.Headers.Remove("Authorization");
                }
            }

            HttpResponseMessage response;
            using (var activity = DatabackerClientDiagnostics.ActivitySource.StartActivity("databacker.hop", ActivityKind.Internal))
            {
                activity?.SetTag("http.request.method", request.Method.Method);
                activity?.SetTag("url.full", current.GetLeftPart(UriPartial.Path));
                activity?.SetTag("databacker.redirect.hop", hop);
                response = await base.SendAsync(hopRequest, cancellationToken).ConfigureAwait(false);
                activity?.SetTag("http.response.status_code", (int)response.StatusCode);
            }

            if (DatabackerClientDiagnostics.Requests.Enabled)
            {
                // Only when someone listens: the tags box the status code.
                DatabackerClientDiagnostics.Requests.Add(1,
                    new KeyValuePair<string, object?>("http.request.method", request.Method.Method),
                    new KeyValuePair<string, object?>("http.response.status_code", (int)response.StatusCode));
            }

            var status = response.StatusCode;

            if (IsRedirect(status))
            {
                var next = await ValidateRedirectAsync(hopRequest, response, current, chain, hop, options, cancellationToken).ConfigureAwait(false);

                // A move is remembered only when a trusted origin declared it: an untrusted one could otherwise send
                // later calls, credentials and all, wherever it likes.
                var declaredByUntrusted = afterUntrusted || IsUntrusted(requested, current);
                afterUntrusted = declaredByUntrusted || IsUntrusted(requested, next);
                if (IsPermanent(status) && options.RememberPermanentRedirects && !declaredByUntrusted)
                {
                    _routes.Remember(current, next, options.ApplyPrefixMoves);
                    RoutingLog.RouteRemembered(_logger, current, next);
                }

                RoutingLog.FollowingRedirect(_logger, request.Method, current, status, next, hop + 1);
                DatabackerClientDiagnostics.Redirects.Add(1, new KeyValuePair<string, object?>("http.response.status_code", (int)status));
                Activity.Current?.AddEvent(new ActivityEvent("databacker.redirect", tags: new ActivityTagsCollection
                {
                    ["http.response.status_code"] = (int)status,
                    ["url.full"] = current.ToString(),
                    ["databacker.redirect.location"] = next.ToString(),
                    ["databacker.redirect.hop"] = hop + 1,
                }));
                response.Dispose();
                if (chain is null)
                {
                    chain = [current, next];
                    request.Options.Set(PipelineOptionKeys.RedirectChain, chain);
                }
                else
                {
                    chain.Add(next);
                }

                current = next;
                continue;
            }

            if (status == HttpStatusCode.Gone && options.ThrowOnGone)
            {
                var details = await ReadAndDisposeAsync(response, hopRequest, cancellationToken).ConfigureAwait(false);
                var operation = request.Options.TryGetValue(DatabackerRequestOptions.OperationName, out var name)
                    ? name
                    : $"{request.Method} {requested.AbsolutePath}";
                throw new EndpointNotImplementedException(
                    $"The endpoint {current.GetLeftPart(UriPartial.Authority)} does not implement {operation} (410 Gone){Describe(details)}.",
                    details,
                    operation);
            }

            if (status == HttpStatusCode.NotFound && options.ThrowOnNotFound)
            {
                var details = await ReadAndDisposeAsync(response, hopRequest, cancellationToken).ConfigureAwait(false);
                throw new ResourceNotFoundException($"{request.Method} {current} answered 404 Not Found{Describe(details)}.", details);
            }

            return response;
        }
    }

    /// <summary>
    /// Where the first hop of <paramref name="request"/> goes: a remembered move of its URI when one applies and is
    /// acceptable under the request's options, else the URI itself. The resilience handler above keys its circuit
    /// breaker by this, so failures count against the origin that is actually called.
    /// </summary>
    internal Uri? FirstHopOf(HttpRequestMessage request)
    {
        if (request.RequestUri is not { IsAbsoluteUri: true } requested)
        {
            return request.RequestUri;
        }

        // Not validated here: an invalid override fails the call in SendAsync, with the same message as without a breaker.
        var options = request.Options.TryGetValue(RoutingOptions.RequestOptionsKey, out var overridden) ? overridden : _options;
        return FirstHop(requested, options);
    }

    private Uri FirstHop(Uri requested, RoutingOptions options) =>
        options.RememberPermanentRedirects && _routes.TryResolve(requested, out var remembered) && IsAcceptableTarget(requested, remembered, options)
            ? remembered
            : requested;

    private bool IsUntrusted(Uri requested, Uri uri) => !Origin.Same(uri, requested) && !_trustedOrigins.IsTrusted(uri);

    private HttpRequestMessage CreateHop(HttpRequestMessage request, Uri requested, Uri target, RequestBody body, RoutingOptions options, bool afterUntrusted)
    {
        HttpRequestMessage hop;
        try
        {
            hop = RequestReplay.Clone(request, target, body);
        }
        catch (InvalidOperationException)
        {
            throw new RequestNotReplayableException(
                $"{request.Method} {requested} must be sent again to {target}, but its streamed body was already sent and cannot be replayed. " +
                "Send it to the new location directly, or use a seekable body.",
                ApiCallDetailsReader.Describe(request, null));
        }

        if (body.IsStreamed)
        {
            // Ask the server to answer a redirect, 401 or 410 before the body is sent, so it can still go elsewhere.
            hop.Headers.ExpectContinue = true;
        }

        if (afterUntrusted || IsUntrusted(requested, target))
        {
            foreach (var header in AlwaysCredentialHeaders.Concat(options.CredentialHeaders))
            {
                hop.Headers.Remove(header);
            }

            hop.Options.Set(PipelineOptionKeys.CredentialsStripped, true);
            RoutingLog.CredentialsStripped(_logger, request.Method, target);
        }

        return hop;
    }

    private async Task<Uri> ValidateRedirectAsync(
        HttpRequestMessage hopRequest, HttpResponseMessage response, Uri current, List<Uri>? chain, int hop, RoutingOptions options, CancellationToken cancellationToken)
    {
        var status = response.StatusCode;
        var rawLocation = response.Headers.NonValidated.TryGetValues("Location", out var values) ? values.ToString() : null;

        if (status is HttpStatusCode.Found or HttpStatusCode.SeeOther)
        {
            await FailAsync(RedirectFailureReason.UnsupportedStatus,
                $"{hopRequest.Method} {current} answered {(int)status} {status}, which this API does not use; only 301, 307 and 308 are followed").ConfigureAwait(false);
        }

        if (string.IsNullOrWhiteSpace(rawLocation))
        {
            await FailAsync(RedirectFailureReason.MissingLocation, $"{hopRequest.Method} {current} answered {(int)status} without a Location header").ConfigureAwait(false);
        }

        var location = response.Headers.Location;
        Uri? next = null;
        if (location is not null)
        {
            next = location.IsAbsoluteUri ? location : Uri.TryCreate(current, location, out var resolved) ? resolved : null;
        }

        if (next is null || (next.Scheme != Uri.UriSchemeHttp && next.Scheme != Uri.UriSchemeHttps))
        {
            await FailAsync(RedirectFailureReason.MalformedLocation, $"{hopRequest.Method} {current} answered {(int)status} with a malformed Location '{rawLocation}'").ConfigureAwait(false);
        }

        // Fragments never go to a server.
        next = new Uri(next!.GetComponents(UriComponents.HttpRequestUrl, UriFormat.UriEscaped));

        if (hop >= options.MaxRedirects)
        {
            await FailAsync(RedirectFailureReason.TooManyHops, $"{hopRequest.Method} {chain?[0] ?? current} was redirected more than {options.MaxRedirects} times").ConfigureAwait(false);
        }

        if (current.Scheme == Uri.UriSchemeHttps && next.Scheme == Uri.UriSchemeHttp)
        {
            await FailAsync(RedirectFailureReason.InsecureDowngrade, $"{hopRequest.Method} {current} redirected from https to plain http ({next}); refused").ConfigureAwait(false);
        }

        if (chain?.Contains(next) ?? current.Equals(next))
        {
            await FailAsync(RedirectFailureReason.Loop, $"{hopRequest.Method} {current} redirected back to {next}, already visited: a redirect loop").ConfigureAwait(false);
        }

        if (!Origin.Same(current, next) && !_trustedOrigins.IsTrusted(next) && options.CrossOriginRedirects == CrossOriginRedirectPolicy.Fail)
        {
            await FailAsync(RedirectFailureReason.UntrustedOrigin,
                $"{hopRequest.Method} {current} redirected to {next}, an origin that is not trusted; add it to the trusted origins or allow following without credentials").ConfigureAwait(false);
        }

        return next;

        async Task FailAsync(RedirectFailureReason reason, string message)
        {
            RoutingLog.RedirectRefused(_logger, current, reason);
            var details = await ReadAndDisposeAsync(response, hopRequest, cancellationToken).ConfigureAwait(false);
            throw new RedirectException(message + ".", details, reason, rawLocation);
        }
    }

    private bool IsAcceptableTarget(Uri requested, Uri target, RoutingOptions options) =>
        !(requested.Scheme == Uri.UriSchemeHttps && target.Scheme == Uri.UriSchemeHttp)
        && (!IsUntrusted(requested, target) || options.CrossOriginRedirects == CrossOriginRedirectPolicy.FollowWithoutCredentials);

    private static async Task<ApiCallDetails> ReadAndDisposeAsync(HttpResponseMessage response, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (response)
        {
            return await ApiCallDetailsReader.ReadAsync(response, request, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string Describe(ApiCallDetails details) => details.Problem is null ? string.Empty : $": {details.Problem}";

    private static bool IsRedirect(HttpStatusCode status) => status is HttpStatusCode.MovedPermanently or HttpStatusCode.PermanentRedirect
        or HttpStatusCode.TemporaryRedirect or HttpStatusCode.Found or HttpStatusCode.SeeOther;

    private static bool IsPermanent(HttpStatusCode status) => status is HttpStatusCode.MovedPermanently or HttpStatusCode.PermanentRedirect;
}

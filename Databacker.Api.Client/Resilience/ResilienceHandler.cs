using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Runtime.CompilerServices;
using Databacker.Api.Client.Diagnostics;
using Databacker.Api.Client.Exceptions;
using Databacker.Api.Client.Pipeline;
using Databacker.Api.Client.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Databacker.Api.Client.Resilience;

/// <summary>
/// Retries, timeouts and circuit breaking, with Polly v8 (<c>Polly.Core</c>), as one <see cref="DelegatingHandler"/>.
/// </summary>
/// <remarks>
/// <para>Layers, outside in: total timeout, retry, a circuit breaker per origin (the origin a request is sent to: after
/// the moves a <see cref="Routing.RoutingHandler"/> below this handler remembers), attempt timeout. The two timeouts
/// share one timer per call (armed for whichever deadline comes first); the total timeout also ends a retry delay.</para>
/// <para>Retried: transport errors, attempt timeouts, 408, 429, 500, 502, 503 and 504; only for safe methods (GET,
/// HEAD, OPTIONS, TRACE) or requests carrying an <c>Idempotency-Key</c>, and only while the body can be sent again.
/// Never retried: everything else, including 400, 401 (the <see cref="Authentication.AccessTokenHandler"/> owns it),
/// 403, 404, 406, 410 and 413. Delays grow exponentially with jitter; a <c>Retry-After</c> (delta-seconds or
/// HTTP-date) replaces the computed delay; if it is longer than <see cref="ResilienceOptions.MaxRetryAfter"/> or than
/// the time left, the call fails at once with <see cref="RateLimitedException"/>, as does a 429 that is not retried.</para>
/// <para>A response its caller reads whole (a JSON document, a receipt, an error; not a stream such as the run log's
/// NDJSON) is read within the attempt, so the timeouts cover its body and a body cut off on the way is retried like a
/// transport error. Only its first 16 MiB are: a larger body (announced, or found so while reading) is handed on with
/// the rest still to be read.</para>
/// <para>An open circuit throws <see cref="CircuitOpenException"/>; a timeout throws
/// <see cref="CallTimedOutException"/> (both carry Polly's exception as the inner one; a timeout's message says whether the attempt or the total timeout elapsed). All time goes through the injected <see cref="TimeProvider"/>.</para>
/// </remarks>
public sealed class ResilienceHandler : DelegatingHandler
{
    // The call's state (request, body, start time, timeouts), one property write per call instead of one per value.
    private static readonly ResiliencePropertyKey<CallState> State = new("Databacker.Api.Client.CallState");

    private readonly ResilienceOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConditionalWeakTable<ResilienceOptions, ResiliencePipeline<HttpResponseMessage>> _retries = new();
    private readonly CircuitBreakerRegistry _breakers;
    private RoutingHandler? _routing;
    private bool _routingSought;

    // Built once: a method group passed as a delegate would allocate a new delegate on every call.
    private readonly ConditionalWeakTable<ResilienceOptions, ResiliencePipeline<HttpResponseMessage>>.CreateValueCallback _buildRetry;
    private readonly Func<string, CircuitBreaker> _buildBreaker;

    /// <summary>Creates the handler.</summary>
    /// <param name="options">Default options; validated here.</param>
    /// <param name="timeProvider">The clock for delays, timeouts and breaker windows; <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="logger">Where retries, rate limits and circuit changes are logged.</param>
    public ResilienceHandler(ResilienceOptions? options = null, TimeProvider? timeProvider = null, ILogger<ResilienceHandler>? logger = null)
        : this(options, timeProvider, logger, null)
    {
    }

    /// <summary>Creates the handler with circuit-breaker state shared through <paramref name="breakers"/>.</summary>
    /// <param name="options">The policy; defaults when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock; the system clock when <see langword="null"/>.</param>
    /// <param name="logger">Where retries and open circuits are logged.</param>
    /// <param name="breakers">Breaker state shared across handler instances; a private one when <see langword="null"/>.</param>
    public ResilienceHandler(ResilienceOptions? options, TimeProvider? timeProvider, ILogger<ResilienceHandler>? logger, CircuitBreakerRegistry? breakers)
    {
        _breakers = breakers ?? new CircuitBreakerRegistry();
        _options = options ?? new ResilienceOptions();
        _options.Validate();
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _buildRetry = BuildRetry;
        _buildBreaker = BuildBreaker;
    }

    // The routing handler below this one, if any (found once: a handler chain is fixed once it has sent), which says
    // where a request's first hop goes after the moves it remembers: the breaker is that origin's.
    private RoutingHandler? Routing
    {
        get
        {
            if (!_routingSought)
            {
                var inner = InnerHandler;
                while (inner is DelegatingHandler delegating and not RoutingHandler)
                {
                    inner = delegating.InnerHandler;
                }

                _routing = inner as RoutingHandler;
                _routingSought = true;
            }

            return _routing;
        }
    }

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var options = _options;
        if (request.Options.TryGetValue(ResilienceOptions.RequestOptionsKey, out var overridden) && !ReferenceEquals(overridden, _options))
        {
            overridden.Validate();
            options = overridden;
        }

        var body = await RequestBody.CaptureAsync(request, cancellationToken).ConfigureAwait(false);
        var breaker = options.EnableCircuitBreaker && request.RequestUri is { IsAbsoluteUri: true } uri
            ? _breakers.GetOrAdd(Origin.Of(Routing?.FirstHopOf(request) ?? uri), _buildBreaker)
            : null;

        var startedAt = _time.GetTimestamp();
        using var call = new CallState(this, options, startedAt, cancellationToken, breaker, request, body);
        try
        {
            // Polly's context only once Polly runs: a retry, or an attempt through a circuit that is not closed.
            ResilienceContext? context = null;
            HttpResponseMessage response;
            try
            {
                // The first attempt runs outside Polly's retry strategy: when its outcome is not retried (a success, above
                // all), a retry execution would only have handed it back, through three more state machines. When it is
                // retried, the strategy takes over from its first attempt, to which the outcome already obtained is handed
                // back, so attempts, delays, logs and Retry-After handling are exactly those of the strategy alone.
                var outcome = call.CircuitClosed
                    ? await AttemptInClosedCircuitAsync(call).ConfigureAwait(false)
                    : await AttemptInBreakerAsync(context = NewContext(call), call).ConfigureAwait(false);
                if (options.MaxRetryAttempts > 0 && ShouldRetry(outcome, call, options))
                {
                    call.First = outcome;
                    context ??= NewContext(call);
                    outcome = await _retries.GetValue(options, _buildRetry).ExecuteOutcomeAsync(
                        static (ctx, state) =>
                        {
                            if (state.First is { } first)
                            {
                                state.First = null;
                                return new ValueTask<Outcome<HttpResponseMessage>>(first);
                            }

                            return state.Handler.AttemptInBreakerAsync(ctx, state);
                        },
                        context,
                        call).ConfigureAwait(false);
                }

                // Errors travel as outcomes (no exception thrown and caught per Polly layer); thrown here, as they were raised.
                outcome.ThrowIfException();
                response = outcome.Result!;
            }
            catch (BrokenCircuitException error)
            {
                throw new CircuitOpenException(
                    $"{request.Method} {request.RequestUri} was not sent: recent calls to this endpoint kept failing (circuit open).",
                    ApiCallDetailsReader.Describe(request, null),
                    error.RetryAfter,
                    error);
            }
            catch (TimeoutRejectedException error) when (!cancellationToken.IsCancellationRequested)
            {
                throw new CallTimedOutException(
                    $"{request.Method} {request.RequestUri} timed out: the attempt timeout ({options.AttemptTimeout}) elapsed (total timeout {options.TotalTimeout}).",
                    ApiCallDetailsReader.Describe(request, null),
                    error);
            }
            catch (OperationCanceledException error) when (call.TotalTimedOut && !cancellationToken.IsCancellationRequested)
            {
                throw new CallTimedOutException(
                    $"{request.Method} {request.RequestUri} timed out: the total timeout ({options.TotalTimeout}) elapsed (attempt timeout {options.AttemptTimeout}).",
                    ApiCallDetailsReader.Describe(request, null),
                    new TimeoutRejectedException($"The total timeout of {options.TotalTimeout} elapsed.", options.TotalTimeout, error));
            }
            finally
            {
                if (context is not null)
                {
                    ResilienceContextPool.Shared.Return(context);
                }
            }

            if (response.StatusCode == HttpStatusCode.TooManyRequests || (call.RateLimitedFor is not null && !response.IsSuccessStatusCode))
            {
                var retryAfter = call.RateLimitedFor ?? RetryAfter.Read(response, _time.GetUtcNow());
                ResilienceLog.RateLimited(_logger, request.Method, request.RequestUri, retryAfter);
                ApiCallDetails details;
                using (response)
                {
                    details = await ApiCallDetailsReader.ReadAsync(response, request, cancellationToken).ConfigureAwait(false);
                }

                throw new RateLimitedException(
                    retryAfter is { } delay
                        ? $"{request.Method} {request.RequestUri} is rate limited: the server asked to wait {delay}, beyond what this call may wait (at most {options.MaxRetryAfter}, within a total of {options.TotalTimeout})."
                        : $"{request.Method} {request.RequestUri} is rate limited ({(int)response.StatusCode}) and was not retried further.",
                    details,
                    retryAfter);
            }

            if (_logger.IsEnabled(LogLevel.Debug))
            {
                ResilienceLog.Answered(_logger, request.Method, Url(request), (int)response.StatusCode, _time.GetElapsedTime(startedAt).TotalMilliseconds, call.Attempts);
            }

            return response;
        }
        catch (Exception error) when (LogFailure(request, startedAt, call.Attempts, error))
        {
            throw; // Not reached: the filter only logs.
        }
    }

    // The SDK's own record of each call, in place of IHttpClientFactory's default logging handlers (which
    // AddDatabackerClient leaves out of its clients): one Debug line per logical call, after retries and redirects,
    // never the query string.
    private static string? Url(HttpRequestMessage request) => request.RequestUri is { IsAbsoluteUri: true } uri ? uri.GetLeftPart(UriPartial.Path) : request.RequestUri?.OriginalString;

    private bool LogFailure(HttpRequestMessage request, long startedAt, int attempts, Exception error)
    {
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            ResilienceLog.Failed(_logger, request.Method, Url(request), _time.GetElapsedTime(startedAt).TotalMilliseconds, attempts, error.GetType().Name);
        }

        return false;
    }

    // While the circuit is closed, Polly's breaker lets every execution through and only records its outcome; the
    // attempt then runs on its own and hands its outcome to the breaker afterwards, in an execution that completes at
    // once (no Polly state machine waits for the network). Any other state (open, half-open, isolated) runs the attempt
    // inside the breaker, so Polly alone decides whether it may go (the one half-open probe) or fails at once.
    private ValueTask<Outcome<HttpResponseMessage>> AttemptInBreakerAsync(ResilienceContext context, CallState state)
    {
        return state.CircuitClosed
            ? AttemptInClosedCircuitAsync(state)
            : state.Breaker!.Pipeline.ExecuteOutcomeAsync(static (_, state) => state.Handler.AttemptAsync(state, record: false), context, state);
    }

    // The most bytes of a response read within the attempt; a larger one is handed on unread, as a stream.
    private const long MaxReadWholeBytes = 16 * 1024 * 1024;

    // Whether the caller will read the response whole (a document, a receipt, a problem), which is then read here: not a
    // stream (the run log's NDJSON or text, or anything else a caller reads as it arrives), nothing without a body, nothing
    // larger than MaxReadWholeBytes by its announced length.
    private static bool IsReadWhole(HttpRequestMessage request, HttpResponseMessage response)
    {
        if (request.Method == HttpMethod.Head || response.Content is not { } content)
        {
            return false;
        }

        var length = content.Headers.ContentLength;
        if (length is 0 or > MaxReadWholeBytes || response.StatusCode is HttpStatusCode.NoContent or HttpStatusCode.NotModified)
        {
            return false;
        }

        if (length is null && content is not Pipeline.BoundedErrorContent)
        {
            // Without a length only a JSON document is read here: up to the bound, and beyond it handed on as the part
            // read and the rest of the stream.
            return IsJson(content.Headers.ContentType?.MediaType);
        }

        // Streams are handed on unread, but only on success: an error body is bounded (BoundedErrorContent) and read
        // here, under the timeouts, whatever its type (a proxy's text/plain 502 that stalls would hang the caller).
        return !response.IsSuccessStatusCode || !IsStream(content.Headers.ContentType?.MediaType);
    }

    private static bool IsJson(string? mediaType) =>
        mediaType is not null
        && (mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase) || string.Equals(mediaType, "application/json", StringComparison.OrdinalIgnoreCase));

    private static bool IsStream(string? mediaType) =>
        mediaType is not null
        && (string.Equals(mediaType, "application/x-ndjson", StringComparison.OrdinalIgnoreCase)
            || string.Equals(mediaType, "text/plain", StringComparison.OrdinalIgnoreCase)
            || string.Equals(mediaType, "text/event-stream", StringComparison.OrdinalIgnoreCase)
            || string.Equals(mediaType, "application/octet-stream", StringComparison.OrdinalIgnoreCase));

    // As a Polly execution would: nothing is sent once the call was cancelled.
    private ValueTask<Outcome<HttpResponseMessage>> AttemptInClosedCircuitAsync(CallState state) =>
        state.CallToken.IsCancellationRequested
            ? new ValueTask<Outcome<HttpResponseMessage>>(Outcome.FromException<HttpResponseMessage>(new OperationCanceledException(state.CallToken)))
            : AttemptAsync(state, record: state.Breaker is not null);

    private static ResilienceContext NewContext(CallState state)
    {
        var context = ResilienceContextPool.Shared.Get(state.CallToken);
        context.Properties.Set(State, state);
        return context;
    }

    // One attempt under its own deadline, min(attempt timeout, total left); inside the breaker, so attempt timeouts
    // count as failures and are retried (a TimeoutRejectedException), while the total timeout and the caller's
    // cancellation stay an OperationCanceledException, as with Polly's own timeout strategies.
    // Never throws: Polly's outcome-based execution expects every error as an outcome. Its state machine is pooled
    // (awaited once, by Polly or SendAsync), so an attempt that waits for the network allocates none.
    // With record, the outcome is then handed to the (closed) circuit breaker, as its execution would have recorded it.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<Outcome<HttpResponseMessage>> AttemptAsync(CallState state, bool record)
    {
        Outcome<HttpResponseMessage> outcome;
        state.Attempts++;
        var attempt = state.BeginAttempt();
        try
        {
            var response = await SendOnceAsync(state.Request, state.Body, attempt.Token).ConfigureAwait(false);
            if (IsReadWhole(state.Request, response))
            {
                // Read within the attempt: its timeouts cover the body too (a server that sends headers and then stalls
                // would otherwise hang the caller, whose generated client reads the body after this handler returned),
                // and a body cut off on the way fails the attempt like any transport error, so it is retried.
                try
                {
                    await ResponseReading.ReadWholeAsync(response, MaxReadWholeBytes, attempt.Token).ConfigureAwait(false);
                }
                catch
                {
                    response.Dispose();
                    throw;
                }
            }

            outcome = Outcome.FromResult(response);
        }
        catch (OperationCanceledException error) when (state.AttemptTimedOut(attempt))
        {
            outcome = Outcome.FromException<HttpResponseMessage>(state.AttemptTimeoutError(error));
        }
        catch (Exception error)
        {
            outcome = Outcome.FromException<HttpResponseMessage>(error);
        }
        finally
        {
            state.EndAttempt();
        }

        if (record)
        {
            await RecordAsync(state.Breaker!, outcome).ConfigureAwait(false);
        }

        return outcome;
    }

    // Runs the breaker over an outcome already obtained: Polly's predicate and health metrics decide, and may open the
    // circuit, exactly as for an attempt run inside it. Its own context (never cancelled), so that a caller cancelling
    // after the response arrived does not turn the recorded outcome into a cancellation. If the circuit left the closed
    // state meanwhile, Polly refuses the execution and records nothing, as for a call that was in flight when it opened.
    private static ValueTask RecordAsync(CircuitBreaker breaker, Outcome<HttpResponseMessage> outcome)
    {
        var context = ResilienceContextPool.Shared.Get(CancellationToken.None);
        var recorded = breaker.Pipeline.ExecuteOutcomeAsync(static (_, outcome) => new ValueTask<Outcome<HttpResponseMessage>>(outcome), context, outcome);
        if (recorded.IsCompleted)
        {
            ResilienceContextPool.Shared.Return(context);
            return default;
        }

        return AwaitRecordedAsync(recorded, context);

        static async ValueTask AwaitRecordedAsync(ValueTask<Outcome<HttpResponseMessage>> recorded, ResilienceContext context)
        {
            try
            {
                await recorded.ConfigureAwait(false);
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }
        }
    }

    private ValueTask<HttpResponseMessage> SendOnceAsync(HttpRequestMessage request, RequestBody body, CancellationToken cancellationToken)
    {
        HttpRequestMessage attempt;
        try
        {
            attempt = RequestReplay.Clone(request, request.RequestUri!, body);
        }
        catch (InvalidOperationException)
        {
            return ValueTask.FromException<HttpResponseMessage>(new RequestNotReplayableException(
                $"{request.Method} {request.RequestUri} cannot be retried: its streamed body was already sent.",
                ApiCallDetailsReader.Describe(request, null)));
        }

        if (DatabackerClientDiagnostics.ActivitySource.HasListeners())
        {
            return SendTracedAsync(request, attempt, cancellationToken);
        }

        // Nobody traces: hand the inner task straight back (no state machine per attempt); failures stay in the task,
        // as they would from an async method.
        try
        {
            return new ValueTask<HttpResponseMessage>(base.SendAsync(attempt, cancellationToken));
        }
        catch (Exception error)
        {
            return ValueTask.FromException<HttpResponseMessage>(error);
        }
    }

    private async ValueTask<HttpResponseMessage> SendTracedAsync(HttpRequestMessage request, HttpRequestMessage attempt, CancellationToken cancellationToken)
    {
        using var activity = DatabackerClientDiagnostics.ActivitySource.StartActivity("databacker.attempt", ActivityKind.Internal);
        activity?.SetTag("http.request.method", request.Method.Method);
        activity?.SetTag("url.full", request.RequestUri?.GetLeftPart(UriPartial.Path));
        var response = await base.SendAsync(attempt, cancellationToken).ConfigureAwait(false);
        activity?.SetTag("http.response.status_code", (int)response.StatusCode);
        return response;
    }

    private ResiliencePipeline<HttpResponseMessage> BuildRetry(ResilienceOptions options)
    {
        // The timeouts are not Polly strategies: CallTimeouts arms one timer per call for both (Polly's would arm two and
        // link two token sources per call).
        return new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = _time }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = Math.Max(1, options.MaxRetryAttempts),
                BackoffType = DelayBackoffType.Exponential,
                Delay = options.BaseDelay,
                MaxDelay = options.MaxDelay,
                UseJitter = options.UseJitter,
                Randomizer = options.Randomizer,
                // The strategy runs only once the first attempt's outcome (its attempt 0, run in SendAsync) was found retryable.
                ShouldHandle = args => new ValueTask<bool>(
                    args.Context.Properties.TryGetValue(State, out var state)
                    && (args.AttemptNumber == 0 || ShouldRetry(args.Outcome, state, options))),
                DelayGenerator = args => new ValueTask<TimeSpan?>(
                    args.Outcome.Result is { } r ? RetryAfter.Read(r, _time.GetUtcNow()) : null),
                OnRetry = args =>
                {
                    var request = args.Context.Properties.TryGetValue(State, out var state) ? state.Request : null;
                    var outcome = args.Outcome.Exception is { } ex ? ex.GetType().Name : $"{(int)args.Outcome.Result!.StatusCode}";
                    ResilienceLog.Retrying(_logger, request!.Method, request.RequestUri, args.AttemptNumber + 1, outcome, args.RetryDelay);
                    DatabackerClientDiagnostics.Retries.Add(1);
                    Activity.Current?.AddEvent(new ActivityEvent("databacker.retry", tags: new ActivityTagsCollection
                    {
                        ["databacker.retry.attempt"] = args.AttemptNumber + 1,
                        ["databacker.retry.delay_ms"] = args.RetryDelay.TotalMilliseconds,
                        ["databacker.retry.outcome"] = outcome,
                    }));
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            })
            .Build();
    }

    private CircuitBreaker BuildBreaker(string authority)
    {
        var state = new CircuitBreakerStateProvider();
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = _time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                StateProvider = state,
                FailureRatio = _options.BreakerFailureRatio,
                MinimumThroughput = _options.BreakerMinimumThroughput,
                SamplingDuration = _options.BreakerSamplingDuration,
                BreakDuration = _options.BreakerBreakDuration,
                ShouldHandle = args => new ValueTask<bool>(args.Outcome switch
                {
                    { Exception: HttpRequestException or TimeoutRejectedException } => true,
                    { Result: { } r } => (int)r.StatusCode >= 500 || r.StatusCode == HttpStatusCode.RequestTimeout,
                    _ => false,
                }),
                OnOpened = args =>
                {
                    ResilienceLog.CircuitOpened(_logger, authority, args.BreakDuration);
                    return default;
                },
            })
            .Build();
        return new CircuitBreaker(pipeline, state);
    }

    private bool ShouldRetry(Outcome<HttpResponseMessage> outcome, CallState state, ResilienceOptions options)
    {
        var response = outcome.Result;
        if (outcome.Exception is null && !IsTransient(response!.StatusCode))
        {
            return false; // a success, above all: decided without looking further
        }

        if (!state.Body.CanReplay || !IsRetryableMethod(state.Request, options))
        {
            return false;
        }

        if (outcome.Exception is not null)
        {
            // Transport errors and attempt timeouts; never the caller's own cancellation or an open circuit.
            return outcome.Exception is HttpRequestException or TimeoutRejectedException && !state.CallToken.IsCancellationRequested;
        }

        if (ExceedsWait(response!, options, state, out var retryAfter))
        {
            state.RateLimitedFor = retryAfter;
            return false;
        }

        return true;
    }

    /// <summary>The statuses a retry may get past (408, 429, 500, 502, 503, 504); the log uploader resends on the same ones.</summary>
    internal static bool IsTransient(HttpStatusCode status) => status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests
        or HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    private bool ExceedsWait(HttpResponseMessage response, ResilienceOptions options, CallState state, out TimeSpan delay)
    {
        if (RetryAfter.Read(response, _time.GetUtcNow()) is not { } asked)
        {
            delay = default;
            return false;
        }

        delay = asked;
        if (delay > options.MaxRetryAfter)
        {
            return true;
        }

        var left = options.TotalTimeout - _time.GetElapsedTime(state.StartedAt);
        return delay >= left;
    }

    private static bool IsRetryableMethod(HttpRequestMessage request, ResilienceOptions options) =>
        request.Method == HttpMethod.Get || request.Method == HttpMethod.Head || request.Method == HttpMethod.Options
        || request.Method == HttpMethod.Trace || request.Headers.Contains(options.IdempotencyKeyHeader);

    // The per-call state handed through Polly: the timeouts themselves plus what the attempts and the retry decision
    // read, one object per call.
    private sealed class CallState(
        ResilienceHandler handler, ResilienceOptions options, long startedAt, CancellationToken callerToken,
        CircuitBreaker? breaker, HttpRequestMessage request, RequestBody body)
        : CallTimeouts(handler._time, options.AttemptTimeout, options.TotalTimeout, startedAt, callerToken)
    {
        public ResilienceHandler Handler { get; } = handler;

        public long StartedAt { get; } = startedAt;

        /// <summary>The endpoint's circuit breaker; <see langword="null"/> when disabled.</summary>
        public CircuitBreaker? Breaker { get; } = breaker;

        /// <summary>No breaker, or a closed circuit: the attempt goes out on its own and its outcome is recorded after.</summary>
        public bool CircuitClosed => Breaker is null || Breaker.State.CircuitState == CircuitState.Closed;

        public HttpRequestMessage Request { get; } = request;

        public RequestBody Body { get; } = body;

        /// <summary>The <c>Retry-After</c> of a transient answer that was not retried because it asked to wait too long.</summary>
        public TimeSpan? RateLimitedFor { get; set; }

        /// <summary>Attempts started so far (one at a time, so a plain count).</summary>
        public int Attempts { get; set; }

        /// <summary>The outcome of the first attempt, handed to the retry strategy as its own first attempt's.</summary>
        public Outcome<HttpResponseMessage>? First { get; set; }
    }
}

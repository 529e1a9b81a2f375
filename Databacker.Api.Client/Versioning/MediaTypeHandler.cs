using Databacker.Api.Contracts.Versioning;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using Databacker.Api.Client.Exceptions;
using Databacker.Api.Client.Pipeline;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Databacker.Api.Client.Versioning;

/// <summary>
/// Enforces the API's versioned media types (spec, "Versioning"): sends the exact vendor media type an operation was
/// built for, accepts a response of the same resource in the same or a newer version (newer versions only add
/// fields, which the generated models keep), and turns anything else into <see cref="UnexpectedMediaTypeException"/>
/// and <c>406</c> into <see cref="NotAcceptableException"/>. The body of an error response (not 2xx) is read at most to
/// its first megabyte, whoever reads it.
/// </summary>
public sealed partial class MediaTypeHandler : DelegatingHandler
{
    // The requested media types (constants of the generated clients and options) parsed once, not on every call. Bounded,
    // so that unusual Accept values cannot grow it without limit; past the bound they are parsed every time.
    private const int MaxParsedMediaTypes = 64;

    // type "/" subtype, both RFC 9110 tokens, nothing else (no parameters, no list, no whitespace).
    private static readonly System.Buffers.SearchValues<char> MediaTypeChars =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~/");

    private readonly MediaTypeOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, VendorMediaType?> _parsed = new(StringComparer.Ordinal);

    /// <summary>Creates the handler.</summary>
    /// <param name="options">Default options.</param>
    /// <param name="logger">Where newer-version responses are noted.</param>
    public MediaTypeHandler(MediaTypeOptions? options = null, ILogger<MediaTypeHandler>? logger = null)
    {
        _options = options ?? new MediaTypeOptions();
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var options = request.Options.TryGetValue(MediaTypeOptions.RequestOptionsKey, out var overridden) ? overridden : _options;
        if (options.Accept is { } accept)
        {
            request.Headers.Accept.Clear();
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept.ToString()));
        }

        if (options.ContentType is { } contentType && request.Content is not null)
        {
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType.ToString());
        }

        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode && response.Content is { } errorBody and not BoundedErrorContent)
        {
            // Whoever reads an error body reads at most its first megabyte.
            response.Content = new BoundedErrorContent(errorBody);
        }

        if (response.StatusCode == HttpStatusCode.NotAcceptable)
        {
            var requestedTypes = Requested(request.Headers);
            var details = await ReadAndDisposeAsync(response, request, cancellationToken).ConfigureAwait(false);
            throw new NotAcceptableException(
                $"{request.Method} {request.RequestUri} answered 406 Not Acceptable: the server cannot produce {string.Join(", ", requestedTypes.DefaultIfEmpty("(no Accept)"))}{(details.Problem is { } p ? $" ({p})" : string.Empty)}.",
                details,
                requestedTypes);
        }

        if (!options.ValidateResponses || !response.IsSuccessStatusCode)
        {
            return response;
        }

        // The common case, one bare Accept value (what every generated operation sends) answered with exactly that
        // versioned type, or a non-vendor one that is not checked: decided without building the arrays below.
        if (SingleBareAccept(request.Headers) is { } single)
        {
            if (Parse(single) is not { } only)
            {
                return response;
            }

            if (only.Version is not null && response.Content.Headers.ContentType?.MediaType is { } answered
                && string.Equals(single, answered, StringComparison.OrdinalIgnoreCase))
            {
                return response;
            }
        }

        var requested = Requested(request.Headers);
        var vendor = VendorTypes(requested, out var exactVersioned);
        if (vendor.Length == 0)
        {
            return response;
        }

        var received = response.Content.Headers.ContentType?.MediaType;
        if (received is null && (response.StatusCode is HttpStatusCode.NoContent or HttpStatusCode.ResetContent || response.Content.Headers.ContentLength == 0))
        {
            return response;
        }

        // The common case: exactly a versioned type that was asked for, which the checks below would accept without
        // noting a newer version.
        if (received is not null && exactVersioned is not null)
        {
            foreach (var m in exactVersioned)
            {
                if (string.Equals(m, received, StringComparison.OrdinalIgnoreCase))
                {
                    return response;
                }
            }
        }

        if (VendorMediaType.TryParse(received, out var receivedType))
        {
            if (vendor.Any(v => v.Accepts(receivedType)))
            {
                if (vendor.All(v => v.Version is null || v.Version != receivedType.Version))
                {
                    NewerVersion(_logger, receivedType.ToString(), request.RequestUri);
                }

                return response;
            }
        }
        else if (received is not null && requested.Any(r => r == "*/*" || string.Equals(r, received, StringComparison.OrdinalIgnoreCase)))
        {
            // The caller itself accepted this generic type besides the vendor ones.
            return response;
        }

        var error = await ReadAndDisposeAsync(response, request, cancellationToken).ConfigureAwait(false);
        throw new UnexpectedMediaTypeException(
            $"{request.Method} {request.RequestUri} answered {received ?? "without a Content-Type"}, but this client asked for {string.Join(", ", requested)} " +
            "and can read only those, or newer versions of the same resource.",
            error,
            requested,
            received);
    }

    private static string[] Requested(HttpRequestHeaders headers) =>
        SingleBareAccept(headers) is { } single ? [single] : Requested(headers.Accept);

    // A single bare media type (what every generated operation sends) as a copied request carries it, unparsed: read as
    // is instead of parsing the header on every call. Null for anything else.
    private static string? SingleBareAccept(HttpRequestHeaders headers)
    {
        if (headers.NonValidated.TryGetValues("Accept", out var raw) && raw.Count == 1)
        {
            var value = raw.ToString();
            var slash = value.IndexOf('/', StringComparison.Ordinal);
            if (slash > 0 && slash < value.Length - 1 && !value.AsSpan().ContainsAnyExcept(MediaTypeChars)
                && value.IndexOf('/', slash + 1) < 0)
            {
                return value;
            }
        }

        return null;
    }

    private static string[] Requested(HttpHeaderValueCollection<MediaTypeWithQualityHeaderValue> accept)
    {
        var count = 0;
        foreach (var a in accept)
        {
            if (a.Quality is not 0 && a.MediaType is not null)
            {
                count++;
            }
        }

        if (count == 0)
        {
            return [];
        }

        var requested = new string[count];
        var i = 0;
        foreach (var a in accept)
        {
            if (a.Quality is not 0 && a.MediaType is not null)
            {
                requested[i++] = a.MediaType;
            }
        }

        return requested;
    }

    /// <summary>The databacker types among <paramref name="requested"/>, and the requested strings that are versioned ones.</summary>
    private VendorMediaType[] VendorTypes(string[] requested, out string[]? exactVersioned)
    {
        exactVersioned = null;
        if (requested.Length == 1)
        {
            // One Accept value, as every generated operation sends.
            if (Parse(requested[0]) is not { } only)
            {
                return [];
            }

            if (only.Version is not null)
            {
                exactVersioned = requested;
            }

            return [only];
        }

        var vendor = new List<VendorMediaType>(requested.Length);
        var versioned = new List<string>(requested.Length);
        foreach (var m in requested)
        {
            if (Parse(m) is { } v)
            {
                vendor.Add(v);
                if (v.Version is not null)
                {
                    versioned.Add(m);
                }
            }
        }

        exactVersioned = versioned.Count == 0 ? null : versioned.ToArray();
        return vendor.ToArray();
    }

    private VendorMediaType? Parse(string mediaType)
    {
        if (_parsed.TryGetValue(mediaType, out var known))
        {
            return known;
        }

        var parsed = VendorMediaType.TryParse(mediaType, out var v) ? v : null;
        if (_parsed.Count < MaxParsedMediaTypes)
        {
            _parsed.TryAdd(mediaType, parsed);
        }

        return parsed;
    }

    private static async Task<ApiCallDetails> ReadAndDisposeAsync(HttpResponseMessage response, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (response)
        {
            return await ApiCallDetailsReader.ReadAsync(response, request, cancellationToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 1400, Level = LogLevel.Debug, Message = "Accepted newer media type {MediaType} from {Uri}; unknown fields are kept, not read")]
    private static partial void NewerVersion(ILogger logger, string mediaType, Uri? uri);
}

using System.Net;

namespace Databacker.Api.Client.Exceptions;

/// <summary>
/// Base class of every error the databacker client pipeline raises about a call: it carries the request method and
/// URI, the response status and headers, the RFC 9457 problem details and the redirect chain.
/// </summary>
public class DatabackerApiException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong, for a person.</param>
    /// <param name="details">The call the error is about.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public DatabackerApiException(string message, ApiCallDetails? details = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Details = details ?? new ApiCallDetails();
    }

    /// <summary>
    /// Creates the exception for a response the generated client did not expect; this is the signature the
    /// generated clients call.
    /// </summary>
    /// <param name="message">What went wrong, for a person.</param>
    /// <param name="statusCode">The response status code.</param>
    /// <param name="response">The response body as text, if it was read.</param>
    /// <param name="headers">The response headers.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public DatabackerApiException(string message, int statusCode, string? response, IReadOnlyDictionary<string, IEnumerable<string>> headers, Exception? innerException)
        : this(message, FromResponse(statusCode, response, headers), innerException)
    {
        Response = response;
    }

    /// <summary>The call the error is about.</summary>
    public ApiCallDetails Details { get; }

    /// <summary>The response body as text, when the generated client read it.</summary>
    public string? Response { get; }

    /// <summary>The response status code, when a response was received.</summary>
    public HttpStatusCode? StatusCode => Details.StatusCode;

    /// <summary>The request method.</summary>
    public HttpMethod? RequestMethod => Details.RequestMethod;

    /// <summary>The URI of the failing request.</summary>
    public Uri? RequestUri => Details.RequestUri;

    /// <summary>The response headers, by name.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> ResponseHeaders => Details.ResponseHeaders;

    /// <summary>The RFC 9457 problem details, when present.</summary>
    public ApiProblemDetails? Problem => Details.Problem;

    /// <summary>Every URI the call was sent to, in order.</summary>
    public IReadOnlyList<Uri> RedirectChain => Details.RedirectChain;

    private static ApiCallDetails FromResponse(int statusCode, string? response, IReadOnlyDictionary<string, IEnumerable<string>>? headers)
    {
        ApiProblemDetails.TryParse(response, out var problem);
        return new ApiCallDetails
        {
            StatusCode = (HttpStatusCode)statusCode,
            ResponseHeaders = headers?.ToDictionary(h => h.Key, h => (IReadOnlyList<string>)h.Value.ToList(), StringComparer.OrdinalIgnoreCase)
                ?? new Dictionary<string, IReadOnlyList<string>>(),
            Problem = problem,
        };
    }
}

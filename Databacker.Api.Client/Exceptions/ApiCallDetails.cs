using System.Net;

namespace Databacker.Api.Client.Exceptions;

/// <summary>What is known about the call that failed: request, response and the redirects followed on the way.</summary>
public sealed class ApiCallDetails
{
    /// <summary>The request method.</summary>
    public HttpMethod? RequestMethod { get; init; }

    /// <summary>The URI the failing request was sent to (the last hop of <see cref="RedirectChain"/>).</summary>
    public Uri? RequestUri { get; init; }

    /// <summary>The response status code, when a response was received.</summary>
    public HttpStatusCode? StatusCode { get; init; }

    /// <summary>The response headers (including content headers), by name, case-insensitive.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> ResponseHeaders { get; init; } =
        new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The RFC 9457 problem details of the response, when it carried <c>application/problem+json</c>.</summary>
    public ApiProblemDetails? Problem { get; init; }

    /// <summary>Every URI the call was sent to, in order: the first request, then each redirect target.</summary>
    public IReadOnlyList<Uri> RedirectChain { get; init; } = [];
}

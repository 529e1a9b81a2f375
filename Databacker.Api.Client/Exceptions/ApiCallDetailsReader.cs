using System.Net.Http.Headers;
using Databacker.Api.Client.Pipeline;

namespace Databacker.Api.Client.Exceptions;

/// <summary>Collects <see cref="ApiCallDetails"/> from a response, reading RFC 9457 problem details when present.</summary>
internal static class ApiCallDetailsReader
{
    private const int MaxProblemBytes = 64 * 1024;

    public static async Task<ApiCallDetails> ReadAsync(HttpResponseMessage response, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ApiProblemDetails? problem = null;
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (string.Equals(mediaType, ApiProblemDetails.MediaType, StringComparison.OrdinalIgnoreCase)
            && (response.Content.Headers.ContentLength ?? 0) <= MaxProblemBytes)
        {
            try
            {
                var json = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                if (json.Length <= MaxProblemBytes)
                {
                    ApiProblemDetails.TryParse(json, out problem);
                }
            }
            catch (HttpRequestException)
            {
                // A body that cannot be read leaves the problem details unknown; the status still tells the story.
            }
        }

        return Describe(request, response, problem);
    }

    public static ApiCallDetails Describe(HttpRequestMessage request, HttpResponseMessage? response, ApiProblemDetails? problem = null) => new()
    {
        RequestMethod = request.Method,
        RequestUri = request.RequestUri,
        StatusCode = response?.StatusCode,
        ResponseHeaders = response is null ? new Dictionary<string, IReadOnlyList<string>>() : HeadersOf(response),
        Problem = problem,
        RedirectChain = RequestReplay.ChainOf(request),
    };

    private static Dictionary<string, IReadOnlyList<string>> HeadersOf(HttpResponseMessage response)
    {
        var headers = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        Add(response.Headers);
        Add(response.Content.Headers);
        return headers;

        void Add(HttpHeaders source)
        {
            foreach (var header in source.NonValidated)
            {
                headers[header.Key] = header.Value.ToArray();
            }
        }
    }
}

namespace Databacker.Api.Client.Pipeline;

/// <summary>Builds the message for one more send of a logical call (a redirect hop, a retry, an authentication retry).</summary>
internal static class RequestReplay
{
    /// <summary>
    /// A new message with the method, version, headers and options of <paramref name="original"/>, sent to
    /// <paramref name="target"/>, with fresh content from <paramref name="body"/>.
    /// </summary>
    public static HttpRequestMessage Clone(HttpRequestMessage original, Uri target, RequestBody body)
    {
        var clone = new Replica(original.Method, target)
        {
            Version = original.Version,
            VersionPolicy = original.VersionPolicy,
            Content = body.CreateContent(),
        };

        // As sent: a clone of a clone (a retry's hop) does not parse and re-format every value again.
        foreach (var header in original.Headers.NonValidated)
        {
            if (header.Value.Count == 1)
            {
                clone.Headers.TryAddWithoutValidation(header.Key, header.Value.ToString());
            }
            else
            {
                clone.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        IDictionary<string, object?> options = clone.Options;
        foreach (var option in original.Options)
        {
            options[option.Key] = option.Value;
        }

        return clone;
    }

    /// <summary>
    /// True when <paramref name="request"/> was made by <see cref="Clone"/>: a message the pipeline made for one send and
    /// owns, which the handlers below may change and which nothing reads after that send; never the caller's own message.
    /// </summary>
    public static bool IsPipelineCopy(HttpRequestMessage request) => request is Replica;

    /// <summary>The redirect chain of this call so far (empty if the routing handler is not in the pipeline).</summary>
    public static IReadOnlyList<Uri> ChainOf(HttpRequestMessage request) =>
        request.Options.TryGetValue(PipelineOptionKeys.RedirectChain, out var chain) ? chain.ToArray() : request.RequestUri is { } uri ? [uri] : [];

    /// <summary>The type of every message <see cref="Clone"/> makes, so that <see cref="IsPipelineCopy"/> needs no per-call state.</summary>
    private sealed class Replica(HttpMethod method, Uri target) : HttpRequestMessage(method, target);
}

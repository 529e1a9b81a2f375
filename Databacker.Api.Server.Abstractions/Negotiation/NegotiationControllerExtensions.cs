using Microsoft.AspNetCore.Mvc;

namespace Databacker.Api.Server.Negotiation;

/// <summary>Lets an action answer in the representation the runtime negotiated, without reading <c>Accept</c> itself.</summary>
public static class NegotiationControllerExtensions
{
    /// <summary>
    /// Answers 200 with a body the callback streams in the negotiated media type, e.g.
    /// <c>return this.NegotiatedStream((body, mediaType, ct) => mediaType == "text/plain" ? WriteTextAsync(body, ct) : WriteNdjsonAsync(body, ct));</c>.
    /// </summary>
    /// <param name="controller">The controller.</param>
    /// <param name="writeAsync">Writes the body, given the response stream, the negotiated media type and the request's cancellation.</param>
    /// <returns>The result.</returns>
    public static NegotiatedStreamResult NegotiatedStream(this ControllerBase controller, Func<Stream, string, CancellationToken, Task> writeAsync)
    {
        ArgumentNullException.ThrowIfNull(controller);
        return new NegotiatedStreamResult(writeAsync);
    }
}

using System.Net;

namespace Databacker.Api.Client.Tests.Support;

/// <summary>A primary handler that answers from a function and records what it was sent (for non-loopback or https cases).</summary>
internal sealed class RecordingHandler(Func<HttpRequestMessage, int, Task<HttpResponseMessage>> respond) : HttpMessageHandler
{
    private int _count;

    public List<(HttpMethod Method, Uri Uri, string? Authorization, byte[]? Body)> Requests { get; } = [];

    public bool ReadBodies { get; init; } = true;

    public static RecordingHandler Always(HttpStatusCode status) =>
        new((_, _) => Task.FromResult(new HttpResponseMessage(status)));

    /// <summary>Answers every request with 301 to <paramref name="location"/>.</summary>
    public static RecordingHandler MovedTo(string location) => new((_, _) =>
    {
        var moved = new HttpResponseMessage(HttpStatusCode.MovedPermanently);
        moved.Headers.Location = new Uri(location);
        return Task.FromResult(moved);
    });

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        byte[]? body = null;
        if (ReadBodies && request.Content is not null)
        {
            body = await request.Content.ReadAsByteArrayAsync(cancellationToken);
        }

        lock (Requests)
        {
            Requests.Add((request.Method, request.RequestUri!, request.Headers.Authorization?.ToString(), body));
        }

        var response = await respond(request, Interlocked.Increment(ref _count));
        response.RequestMessage = request;
        return response;
    }
}

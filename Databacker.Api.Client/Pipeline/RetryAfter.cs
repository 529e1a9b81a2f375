namespace Databacker.Api.Client.Pipeline;

/// <summary>Reads <c>Retry-After</c> in both of its forms (RFC 9110 §10.2.3): delta-seconds and HTTP-date.</summary>
internal static class RetryAfter
{
    /// <summary>The delay the response asks for, measured from <paramref name="now"/>; never negative.</summary>
    public static TimeSpan? Read(HttpResponseMessage response, DateTimeOffset now)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (header?.Date is { } date)
        {
            var delay = date - now;
            return delay < TimeSpan.Zero ? TimeSpan.Zero : delay;
        }

        return null;
    }
}

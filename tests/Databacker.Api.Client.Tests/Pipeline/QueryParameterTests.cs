using System.Net;
using Databacker.Api.Client.Tests.Support;

namespace Databacker.Api.Client.Tests.Pipeline;

[TestFixture]
public sealed class QueryParameterTests
{
    [Test]
    public async Task A_date_time_query_parameter_is_sent_with_its_offset()
    {
        // RFC 3339 needs the offset; without it the server would read the time in its own zone.
        Uri? sent = null;
        using var http = new HttpClient(new AnswerHandler(request =>
        {
            sent = request.RequestUri;
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("""{"items":[]}""") };
        }))
        {
            BaseAddress = new Uri("https://controller.test/"),
        };
        var client = new AdministrationClient(http);

        await client.ListRunsAsync("i-1", since: new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.FromHours(2)));

        var since = System.Web.HttpUtility.ParseQueryString(sent!.Query)["since"];
        Assert.That(DateTimeOffset.Parse(since!, System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(new DateTimeOffset(2025, 6, 1, 10, 0, 0, TimeSpan.Zero)));
        Assert.That(since, Does.EndWith("+02:00"));
    }
}

using Databacker.Api.Client.Authentication;
using Databacker.Api.Client.DependencyInjection;
using Databacker.Api.Client.Exceptions;
using Databacker.Api.Client.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Databacker.Api.Client.Tests.Resilience;

/// <summary>An error body that stops arriving ends the call at its timeout, whatever its media type.</summary>
[TestFixture]
public sealed class StalledErrorBodyTests
{
    private static ServiceProvider Admin(Uri controller)
    {
        var services = new ServiceCollection();
        services.AddDatabackerAdministrationClient(o =>
        {
            o.Controller = controller;
            o.UserTokens = new StaticUserTokenSource("operator-token");
            o.Resilience.AttemptTimeout = TimeSpan.FromSeconds(1);
            o.Resilience.TotalTimeout = TimeSpan.FromSeconds(2);
            o.Resilience.BaseDelay = TimeSpan.FromMilliseconds(1);
        });
        return services.BuildServiceProvider();
    }

    [TestCase("403 Forbidden", "text/plain; charset=utf-8", "{\"title\":\"forbidden")]
    [TestCase("500 Internal Server Error", "text/plain; charset=utf-8", "upstream connect error", TestName = "A proxy's text 500 that stalls times out")]
    [TestCase("403 Forbidden", "application/problem+json", "{\"title\":\"forbidden")]
    public async Task An_error_body_that_stalls_is_cut_off_by_the_timeout(string status, string contentType, string partialBody)
    {
        // A 100-byte body of which a few bytes arrive, then nothing.
        using var server = new RawServer(_ => "HTTP/1.1 " + status + "\r\nContent-Type: " + contentType + "\r\nContent-Length: 100\r\n\r\n" + partialBody);
        using var provider = Admin(server.Uri);

        var call = provider.GetRequiredService<IAdministrationClient>().ListInstancesAsync();
        var finished = await Task.WhenAny(call, Task.Delay(TimeSpan.FromSeconds(15)));

        Assert.That(finished, Is.SameAs(call), "the call ended (its total timeout is 2 s; the test waited 15 s)");
        Assert.That(call.Exception!.InnerException, Is.InstanceOf<CallTimedOutException>());
    }
}

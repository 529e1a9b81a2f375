using Databacker.Api.Client.Configuration;
using Databacker.Api.Client.Pipeline;
using Databacker.Api.Client.Resilience;
using Databacker.Api.Client.Routing;
using Databacker.Api.Client.Tests.Support;
using Databacker.Api.Client.Versioning;

namespace Databacker.Api.Client.Tests.Configuration;

/// <summary>An ETag holding non-ASCII bytes (RFC 9110 obs-text) goes back in If-None-Match exactly as it came.</summary>
[TestFixture]
public sealed class EntityTagBytesTests
{
    [Test]
    public async Task An_etag_with_obs_text_is_sent_back_byte_for_byte_and_answers_304()
    {
        const string body = Controller.ConfigJson;
        using var server = new RawServer(head => head.Contains("If-None-Match", StringComparison.OrdinalIgnoreCase)
            ? "HTTP/1.1 304 Not Modified\r\nETag: \"vé\"\r\nContent-Length: 0\r\n\r\n"
            : "HTTP/1.1 200 OK\r\nETag: \"vé\"\r\nContent-Type: application/vnd.databack.device-config.v1+json\r\nContent-Length: "
              + System.Text.Encoding.UTF8.GetByteCount(body) + "\r\n\r\n" + body);
        var trusted = new TrustedOriginRegistry([server.Uri]);
        using var http = new HttpClient(DatabackerPipeline.Compose(DatabackerPipeline.CreatePrimaryHandler(), new IdempotencyHandler(),
            new ResilienceHandler(TestPipelines.FastResilience()), TestPipelines.Routing(trusted), null, new MediaTypeHandler()))
        {
            BaseAddress = server.Uri,
        };
        var configuration = new ConfigurationClient(new OrchestrationClient(http), Controller.InstanceId);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        var first = await configuration.GetConfigurationAsync(null, cts.Token);
        var second = await configuration.GetConfigurationAsync(first.ETag, cts.Token);

        Assert.Multiple(() =>
        {
            Assert.That(second.NotModified, Is.True);
            Assert.That(server.Requests.Single(r => r.Contains("If-None-Match", StringComparison.OrdinalIgnoreCase)),
                Does.Contain("If-None-Match: \"v\u00C3\u00A9\""), "the bytes C3 A9 as received");
        });
    }

    [Test]
    public async Task An_etag_with_a_character_beyond_latin1_is_refused_not_sent_as_a_question_mark()
    {
        using var server = new RawServer(_ => "HTTP/1.1 304 Not Modified\r\nContent-Length: 0\r\n\r\n");
        var trusted = new TrustedOriginRegistry([server.Uri]);
        using var http = new HttpClient(DatabackerPipeline.Compose(DatabackerPipeline.CreatePrimaryHandler(), new IdempotencyHandler(),
            new ResilienceHandler(TestPipelines.FastResilience()), TestPipelines.Routing(trusted), null, new MediaTypeHandler()))
        {
            BaseAddress = server.Uri,
        };
        var configuration = new ConfigurationClient(new OrchestrationClient(http), Controller.InstanceId);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        Assert.CatchAsync(() => configuration.GetConfigurationAsync("\"v\u20AC\"", cts.Token));

        Assert.That(server.Requests.Where(r => r.Contains("If-None-Match", StringComparison.OrdinalIgnoreCase)), Is.Empty);
        await Task.CompletedTask;
    }
}

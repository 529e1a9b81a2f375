using System.Text;
using Databacker.Api.Client.DependencyInjection;
using Databacker.Api.Client.Reporting;
using Databacker.Api.Client.Tests.Support;
using Databacker.Api.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Newtonsoft.Json;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Databacker.Api.Client.Tests.Reporting;

/// <summary>A log upload without a spool, through the whole client pipeline, against a controller that fails once.</summary>
[TestFixture]
public sealed class DirectLogUploadTests : ControllerTestBase
{
    private const string LogPath = $"/engines/telemetry/{Controller.InstanceId}/log";

    [Test]
    public async Task A_log_request_answered_503_is_sent_again_from_the_kept_lines_and_every_line_arrives()
    {
        var server = Controller.Start(TestServers);
        Controller.ServeEndpoints(server, $$"""{"services":["reporting"],"orchestrationUrl":"{{server.Url127()}}/","reportingUrl":"{{server.Url127()}}/"}""");
        server.Given(Request.Create().WithPath(LogPath).UsingPost()).InScenario("log").WillSetStateTo("back")
            .RespondWith(Response.Create().WithStatusCode(503));
        server.Given(Request.Create().WithPath(LogPath).UsingPost()).InScenario("log").WhenStateIs("back")
            .RespondWith(Response.Create().WithStatusCode(201)
                .WithHeader("Content-Type", "application/vnd.databack.log-receipt.v1+json").WithBody("""{"accepted":3,"duplicates":0}"""));
        using var provider = ClientProvider(server, o => o.Resilience.BaseDelay = TimeSpan.FromMilliseconds(1), s => s.AddDatabackerReportingSender());
        var uploader = provider.GetRequiredService<ReportingSender>()
            .CreateLogUploader(SecretRedactor.UrlsOnly, new LogUploaderOptions { ResendDelay = TimeSpan.FromMilliseconds(10) });
        var run = Guid.NewGuid();
        var lines = Enumerable.Range(0, 3).Select(i => new LogEntry { Run = run, Seq = i, Stream = LogStream.Stdout, Message = $"line {i}" }).ToAsyncEnumerable();

        var summary = await uploader.UploadAsync(lines);

        var posts = server.LogEntries.Where(e => e.RequestMessage.Path == LogPath).ToList();
        Assert.That(posts.Select(p => p.ResponseMessage.StatusCode), Is.EqualTo(new object[] { 503, 201 }), "the streamed body is not retried by the pipeline; the uploader sends it again");
        var resent = Encoding.UTF8.GetString(posts[1].RequestMessage.BodyAsBytes!)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonConvert.DeserializeObject<LogEntry>(l)!.Message);
        Assert.That(resent, Is.EqualTo(new[] { "line 0", "line 1", "line 2" }));
        Assert.That(summary.Lines, Is.EqualTo(3));
    }
}

using System.Text;
using Databacker.Api.Client.Authentication;
using Databacker.Api.Client.DependencyInjection;
using Databacker.Api.Client.Exceptions;
using Databacker.Api.Client.Pipeline;
using Databacker.Api.Client.Tests.Support;
using Databacker.Api.Contracts;
using Microsoft.Extensions.DependencyInjection;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Databacker.Api.Client.Tests.Administration;

/// <summary>
/// <see cref="RunLogExtensions"/>: a run's log read entry by entry from NDJSON, or fetched as text, through the
/// administration client's pipeline; malformed, oversized and mistyped answers are typed errors.
/// </summary>
[TestFixture]
public sealed class RunLogExtensionsTests : ControllerTestBase
{
    private const string UserToken = "operator.jwt-token_1";
    private static readonly Guid Run = Guid.Parse("5b0c1e4e-6f3a-4a4e-9d55-0f3f2b1a9c01");
    private static readonly string LogPath = $"/instances/{Controller.InstanceId}/runs/{Run}/log";

    private static string Line(long seq, string message) =>
        $$$"""{"run":"{{{Run}}}","seq":{{{seq}}},"timestamp":"2026-11-27T10:00:0{{{seq}}}+01:00","stream":"stdout","message":"{{{message}}}","fields":{"at":"2026-11-27T10:00:00.1234567+05:30"}}""";

    private static ServiceProvider Provider(WireMockServer server) => AdministrationProvider(server, UserToken);

    private static void ServeLog(WireMockServer server, string contentType, string body) =>
        server.Given(Request.Create().WithPath(LogPath).UsingGet()).AtPriority(10)
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", contentType).WithBody(body));

    private static async Task<List<LogEntry>> ReadAll(IAdministrationClient admin, List<LogEntry>? into = null)
    {
        var entries = into ?? [];
        await foreach (var entry in admin.ReadRunLogAsync(Controller.InstanceId, Run))
        {
            entries.Add(entry);
        }

        return entries;
    }

    [Test]
    public async Task The_log_is_read_entry_by_entry_in_order_with_the_users_token_and_the_ndjson_accept()
    {
        var server = Controller.Start(TestServers);
        ServeLog(server, "application/x-ndjson; charset=utf-8", "\uFEFF" + Line(0, "first") + "\r\n\n" + Line(1, "sec\\u00f6nd") + "\n" + Line(2, "third"));
        using var provider = Provider(server);

        var entries = await ReadAll(provider.GetRequiredService<IAdministrationClient>());

        var call = server.Requests(LogPath).Single();
        Assert.Multiple(() =>
        {
            Assert.That(entries.Select(e => e.Seq), Is.EqualTo(new long[] { 0, 1, 2 }));
            Assert.That(entries.Select(e => e.Message), Is.EqualTo(new[] { "first", "secönd", "third" }));
            Assert.That(entries[0].Timestamp, Is.EqualTo(new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.FromHours(1))));
            Assert.That(entries[0].Fields!["at"], Is.EqualTo("2026-11-27T10:00:00.1234567+05:30"), "date-like field text kept as sent");
            Assert.That(call.Header("Accept"), Is.EqualTo("application/x-ndjson"));
            Assert.That(call.Header("Authorization"), Is.EqualTo($"Bearer {UserToken}"));
        });
    }

    [Test]
    public async Task A_malformed_line_is_a_typed_error_naming_the_line_after_the_entries_before_it()
    {
        var server = Controller.Start(TestServers);
        ServeLog(server, "application/x-ndjson", Line(0, "fine") + "\n" + "{\"run\":\"" + Run + "\",\"seq\":" + "\n" + Line(2, "never"));
        using var provider = Provider(server);
        var entries = new List<LogEntry>();

        var error = Assert.ThrowsAsync<DatabackerApiException>(() => ReadAll(provider.GetRequiredService<IAdministrationClient>(), entries));

        Assert.Multiple(() =>
        {
            Assert.That(entries.Select(e => e.Message), Is.EqualTo(new[] { "fine" }));
            Assert.That(error!.Message, Does.Contain("Line 2"));
            Assert.That(error.InnerException, Is.InstanceOf<Newtonsoft.Json.JsonException>());
            Assert.That(error.Details.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.OK));
        });
    }

    [TestCase("[1,2]")]
    [TestCase("null")]
    [TestCase("two entries")]
    public async Task A_line_that_is_not_one_log_entry_is_refused(string line)
    {
        var server = Controller.Start(TestServers);
        ServeLog(server, "application/x-ndjson", (line == "two entries" ? Line(0, "a") + " " + Line(1, "b") : line) + "\n");
        using var provider = Provider(server);

        var error = Assert.ThrowsAsync<DatabackerApiException>(() => ReadAll(provider.GetRequiredService<IAdministrationClient>()));

        Assert.That(error!.Message, Does.Contain("Line 1"));
        await Task.CompletedTask;
    }

    [Test]
    public async Task A_line_longer_than_the_limit_is_refused_not_held()
    {
        var server = Controller.Start(TestServers);
        ServeLog(server, "application/x-ndjson", Line(0, "fine") + "\n" + Line(1, new string('x', RunLogExtensions.MaxLineChars)) + "\n");
        using var provider = Provider(server);
        var entries = new List<LogEntry>();

        var error = Assert.ThrowsAsync<DatabackerApiException>(() => ReadAll(provider.GetRequiredService<IAdministrationClient>(), entries));

        Assert.Multiple(() =>
        {
            Assert.That(entries, Has.Count.EqualTo(1));
            Assert.That(error!.Message, Does.Contain("Line 2").And.Contain("longer than"));
        });
        await Task.CompletedTask;
    }

    [Test]
    public async Task A_line_cut_at_the_limit_next_to_a_carriage_return_is_refused_not_shortened()
    {
        var server = Controller.Start(TestServers);
        var entry = Line(1, new string('x', RunLogExtensions.MaxLineChars - Line(1, "").Length)); // exactly the limit
        ServeLog(server, "application/x-ndjson", entry + "\r{\"more\":\"text the reader would never see\"}\n");
        using var provider = Provider(server);

        var error = Assert.ThrowsAsync<DatabackerApiException>(() => ReadAll(provider.GetRequiredService<IAdministrationClient>()));

        Assert.That(error!.Message, Does.Contain("Line 1").And.Contain("longer than"));
        await Task.CompletedTask;
    }

    [Test]
    public async Task The_text_form_asks_for_text_in_a_pipeline_without_the_overrides_handler()
    {
        var server = Controller.Start(TestServers);
        server.Given(Request.Create().WithPath(LogPath).UsingGet().WithHeader("Accept", "text/plain"))
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "text/plain").WithBody("line\n"));
        using var http = new HttpClient(DatabackerPipeline.Compose(new HttpClientHandler { AllowAutoRedirect = false }, mediaTypes: new Databacker.Api.Client.Versioning.MediaTypeHandler()))
        {
            BaseAddress = server.Uri(),
        };
        var admin = new AdministrationClient(http);

        using var response = await admin.GetRunLogTextAsync(Controller.InstanceId, Run);

        Assert.That(await new StreamReader(response.Stream).ReadToEndAsync(), Is.EqualTo("line\n"));
    }

    [Test]
    public void Text_where_ndjson_was_asked_for_is_an_unexpected_media_type()
    {
        var server = Controller.Start(TestServers);
        ServeLog(server, "text/plain", "10:00:00 stdout first\n");
        using var provider = Provider(server);

        var error = Assert.ThrowsAsync<UnexpectedMediaTypeException>(() => ReadAll(provider.GetRequiredService<IAdministrationClient>()));

        Assert.Multiple(() =>
        {
            Assert.That(error!.ReceivedMediaType, Is.EqualTo("text/plain"));
            Assert.That(error.RequestedMediaTypes, Is.EqualTo(new[] { "application/x-ndjson" }));
        });
    }

    [Test]
    public async Task The_text_form_asks_for_text_and_streams_it_and_the_next_call_asks_for_ndjson_again()
    {
        var server = Controller.Start(TestServers);
        server.Given(Request.Create().WithPath(LogPath).UsingGet().WithHeader("Accept", "text/plain"))
            .AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "text/plain; charset=utf-8").WithBody("10:00:00 stdout first\n"));
        ServeLog(server, "application/x-ndjson", Line(0, "first") + "\n");
        using var provider = Provider(server);
        var admin = provider.GetRequiredService<IAdministrationClient>();

        string text;
        using (var response = await admin.GetRunLogTextAsync(Controller.InstanceId, Run))
        {
            text = await new StreamReader(response.Stream, Encoding.UTF8).ReadToEndAsync();
        }

        var entries = await ReadAll(admin);

        Assert.Multiple(() =>
        {
            Assert.That(text, Is.EqualTo("10:00:00 stdout first\n"));
            Assert.That(server.Requests(LogPath).Select(r => r.Header("Accept")), Is.EqualTo(new[] { "text/plain", "application/x-ndjson" }));
            Assert.That(entries.Single().Message, Is.EqualTo("first"));
        });
    }

    [Test]
    public async Task The_text_form_keeps_the_callers_own_scope_and_refuses_ndjson()
    {
        var server = Controller.Start(TestServers);
        ServeLog(server, "application/x-ndjson", Line(0, "first") + "\n");
        using var provider = Provider(server);
        var admin = provider.GetRequiredService<IAdministrationClient>();

        UnexpectedMediaTypeException? error;
        using (DatabackerRequest.With(o => o.Timeout = TimeSpan.FromSeconds(30)))
        {
            error = Assert.ThrowsAsync<UnexpectedMediaTypeException>(() => admin.GetRunLogTextAsync(Controller.InstanceId, Run));
        }

        Assert.Multiple(() =>
        {
            Assert.That(error!.ReceivedMediaType, Is.EqualTo("application/x-ndjson"));
            Assert.That(server.Requests(LogPath).Single().Header("Accept"), Is.EqualTo("text/plain"));
        });
        await Task.CompletedTask;
    }

    [Test]
    public void A_missing_run_is_the_pipelines_typed_not_found()
    {
        var server = Controller.Start(TestServers);
        server.Given(Request.Create().WithPath(LogPath).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(404).WithHeader("Content-Type", "application/problem+json").WithBody("""{"title":"No such run","status":404}"""));
        using var provider = Provider(server);

        Assert.ThrowsAsync<ResourceNotFoundException>(() => ReadAll(provider.GetRequiredService<IAdministrationClient>()));
    }
}

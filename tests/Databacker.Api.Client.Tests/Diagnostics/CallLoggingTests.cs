using Databacker.Api.Client.DependencyInjection;
using Databacker.Api.Client.Exceptions;
using Databacker.Api.Client.Resilience;
using Databacker.Api.Client.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Databacker.Api.Client.Tests.Diagnostics;

/// <summary>
/// Each call of the SDK's typed clients is logged once, by the SDK, instead of by IHttpClientFactory's two logging
/// handlers, which AddDatabackerClient removes (and an application can add back).
/// </summary>
[TestFixture]
public sealed class CallLoggingTests : ControllerTestBase
{
    private const string ConfigPath = $"/engines/config/{Controller.InstanceId}";

    private ServiceProvider Provider(WireMockServer controller, Action<IServiceCollection>? more = null) =>
        ClientProvider(
            controller,
            o =>
            {
                o.Resilience.BaseDelay = TimeSpan.FromMilliseconds(1);
                o.Resilience.MaxDelay = TimeSpan.FromMilliseconds(2);
            },
            services =>
            {
                services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddFakeLogging());
                more?.Invoke(services);
            });

    private static void ServeConfig(WireMockServer server, params int[] statuses)
    {
        var calls = 0;
        server.Given(Request.Create().WithPath(ConfigPath).UsingGet()).RespondWith(Response.Create().WithCallback(_ =>
        {
            var n = Interlocked.Increment(ref calls);
            var status = n <= statuses.Length ? statuses[n - 1] : 200;
            var message = new WireMock.ResponseMessage { StatusCode = status };
            if (status == 200)
            {
                message.AddHeader("Content-Type", "application/vnd.databack.device-config.v1+json");
                message.BodyData = new WireMock.Util.BodyData { BodyAsString = Controller.ConfigJson, DetectedBodyType = WireMock.Types.BodyType.String };
            }

            return message;
        }));
    }

    private static IReadOnlyList<FakeLogRecord> Records(ServiceProvider provider) =>
        provider.GetRequiredService<FakeLogCollector>().GetSnapshot();

    [Test]
    public async Task A_call_is_logged_once_by_the_SDK_after_its_retries_with_its_status_and_attempts()
    {
        var controller = Controller.Start(TestServers);
        ServeConfig(controller, 503);
        using var provider = Provider(controller);

        await provider.GetRequiredService<IOrchestrationClient>().GetConfigAsync(Controller.InstanceId);

        var records = Records(provider);
        var answered = records.Where(r => r.Id.Id == 1203 && r.GetStructuredStateValue("Url")!.EndsWith(ConfigPath, StringComparison.Ordinal)).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(answered, Has.Length.EqualTo(1), "one line per logical call, not per attempt");
            Assert.That(answered[0].Level, Is.EqualTo(LogLevel.Debug));
            Assert.That(answered[0].Category, Is.EqualTo("Databacker.Api.Client.Resilience.ResilienceHandler"));
            Assert.That(answered[0].GetStructuredStateValue("StatusCode"), Is.EqualTo("200"));
            Assert.That(answered[0].GetStructuredStateValue("Attempts"), Is.EqualTo("2"));
            Assert.That(answered[0].GetStructuredStateValue("Url"), Is.EqualTo(controller.Uri(ConfigPath).ToString()));
            Assert.That(records.Where(r => r.Category?.StartsWith("System.Net.Http.HttpClient.", StringComparison.Ordinal) == true
                && r.Category.Contains("Databacker.Orchestration", StringComparison.Ordinal)), Is.Empty, "the factory's logging handlers are removed");
        });
    }

    [Test]
    public async Task The_token_request_is_logged_by_the_SDK_alone_not_by_the_factorys_handlers()
    {
        var controller = Controller.Start(TestServers);
        ServeConfig(controller);
        using var provider = Provider(controller);

        await provider.GetRequiredService<IOrchestrationClient>().GetConfigAsync(Controller.InstanceId);

        var records = Records(provider);
        Assert.Multiple(() =>
        {
            Assert.That(controller.Requests("/token"), Is.Not.Empty, "a token was fetched");
            Assert.That(records.Where(r => r.Category?.Contains("Databacker.Token", StringComparison.Ordinal) == true).Select(r => r.Category).Distinct(), Is.Empty);
            Assert.That(records.Where(r => r.Category == "Databacker.Api.Client.Authentication.TokenClient"), Is.Not.Empty, "the token client's own lines");
        });
    }

    [Test]
    public async Task The_logged_url_leaves_the_query_out()
    {
        var logger = new FakeLogger<ResilienceHandler>();
        using var client = TestPipelines.Client(
            RecordingHandler.Always(System.Net.HttpStatusCode.OK),
            resilience: new ResilienceHandler(TestPipelines.FastResilience(), null, logger));

        (await client.GetAsync("https://c.example/engines/config/i-1?token=secret-value")).Dispose();

        Assert.That(logger.LatestRecord.Id.Id, Is.EqualTo(1203));
        Assert.That(logger.LatestRecord.GetStructuredStateValue("Url"), Is.EqualTo("https://c.example/engines/config/i-1"));
        Assert.That(logger.LatestRecord.Message, Does.Not.Contain("secret-value"));
    }

    [Test]
    public void A_failed_call_is_logged_with_the_error_its_caller_sees()
    {
        var controller = Controller.Start(TestServers);
        controller.Given(Request.Create().WithPath(ConfigPath).UsingGet()).RespondWith(Response.Create().WithStatusCode(410));
        using var provider = Provider(controller);

        var error = Assert.CatchAsync<DatabackerApiException>(() => provider.GetRequiredService<IOrchestrationClient>().GetConfigAsync(Controller.InstanceId));

        // (Discovery's own call, refused by this controller, is logged too: one line per logical call.)
        var failed = Records(provider).Where(r => r.Id.Id == 1204 && r.GetStructuredStateValue("Url")!.EndsWith(ConfigPath, StringComparison.Ordinal)).ToArray();
        Assert.That(failed, Has.Length.EqualTo(1));
        Assert.That(failed[0].GetStructuredStateValue("Error"), Is.EqualTo(error!.GetType().Name));
        Assert.That(failed[0].GetStructuredStateValue("Attempts"), Is.EqualTo("1"));
    }

    [Test]
    public async Task The_factory_logging_comes_back_for_a_client_an_application_adds_it_to()
    {
        var controller = Controller.Start(TestServers);
        ServeConfig(controller);
        using var provider = Provider(controller, services => services.AddHttpClient(DatabackerClientNames.Orchestration).AddDefaultLogger());

        await provider.GetRequiredService<IOrchestrationClient>().GetConfigAsync(Controller.InstanceId);

        Assert.That(
            Records(provider).Select(r => r.Category),
            Does.Contain("System.Net.Http.HttpClient.Databacker.Orchestration.LogicalHandler"));
    }

    [Test]
    public async Task A_custom_logger_added_to_an_SDK_client_after_AddDatabackerClient_is_kept()
    {
        var controller = Controller.Start(TestServers);
        ServeConfig(controller);
        var logger = new CountingHttpClientLogger();
        using var provider = Provider(controller, services => services.AddHttpClient(DatabackerClientNames.Orchestration).AddLogger(_ => logger));

        await provider.GetRequiredService<IOrchestrationClient>().GetConfigAsync(Controller.InstanceId);

        Assert.That(logger.Paths, Does.Contain(ConfigPath));
    }

    [Test]
    public async Task A_custom_logger_for_every_client_through_ConfigureHttpClientDefaults_is_kept_even_when_registered_first()
    {
        var controller = Controller.Start(TestServers);
        ServeConfig(controller);
        var logger = new CountingHttpClientLogger();
        var services = new ServiceCollection();
        services.ConfigureHttpClientDefaults(b => b.AddLogger(_ => logger));
        services.AddDatabackerClient(o => Controller.Configure(o, controller, Key));
        using var provider = services.BuildServiceProvider();

        await provider.GetRequiredService<IOrchestrationClient>().GetConfigAsync(Controller.InstanceId);

        Assert.That(logger.Paths, Does.Contain(ConfigPath));
    }

    private sealed class CountingHttpClientLogger : Microsoft.Extensions.Http.Logging.IHttpClientLogger
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _paths = new();

        public IReadOnlyCollection<string> Paths => _paths.ToArray();

        public object? LogRequestStart(HttpRequestMessage request)
        {
            _paths.Enqueue(request.RequestUri!.AbsolutePath);
            return null;
        }

        public void LogRequestStop(object? context, HttpRequestMessage request, HttpResponseMessage response, TimeSpan elapsed)
        {
        }

        public void LogRequestFailed(object? context, HttpRequestMessage request, HttpResponseMessage? response, Exception exception, TimeSpan elapsed)
        {
        }
    }
}

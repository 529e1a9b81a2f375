using Databacker.Api.Contracts.Versioning;
using System.Net;
using System.Net.Http.Headers;
using Databacker.Api.Client.Exceptions;
using Databacker.Api.Client.Tests.Support;
using Databacker.Api.Client.Versioning;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Databacker.Api.Client.Tests.Versioning;

[TestFixture]
public sealed class MediaTypeHandlerTests
{
    private const string ConfigV1 = "application/vnd.databack.device-config.v1+json";

    private Servers _servers = null!;

    [SetUp]
    public void SetUp() => _servers = new Servers();

    [TearDown]
    public void TearDown() => _servers.Dispose();

    private static void Answer(WireMockServer server, int status, string contentType, string body) =>
        server.Given(Request.Create().WithPath("/config/abc")).RespondWith(Response.Create().WithStatusCode(status).WithHeader("Content-Type", contentType).WithBody(body));

    private static HttpRequestMessage GetConfig(WireMockServer server)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, server.Uri("/config/abc"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(ConfigV1));
        return request;
    }

    [Test]
    public async Task A_newer_version_of_the_same_resource_with_extra_fields_and_an_unknown_enum_value_is_accepted_unchanged()
    {
        var server = _servers.Start();
        const string body = "{\"schedule\":\"0 3 * * *\",\"compression\":\"zstd-ultra\",\"newField\":{\"x\":1}}";
        Answer(server, 200, "application/vnd.databack.device-config.v2+json; charset=utf-8", body);
        using var client = TestPipelines.Client(mediaTypes: new MediaTypeHandler());
        using var request = GetConfig(server);

        using var response = await client.SendAsync(request);

        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo(body));
        Assert.That(server.Requests().Single().Header("Accept"), Is.EqualTo(ConfigV1));
    }

    [TestCase("application/vnd.databack.report.v1+json", TestName = "Another resource is rejected")]
    [TestCase("application/json", TestName = "A generic type where a vendor type was asked is rejected")]
    [TestCase("application/vnd.databack.device-config.v1+yaml", TestName = "Another format is rejected")]
    public void An_unexpected_media_type_is_rejected(string contentType)
    {
        var server = _servers.Start();
        Answer(server, 200, contentType, "{}");
        using var client = TestPipelines.Client(mediaTypes: new MediaTypeHandler());
        using var request = GetConfig(server);

        var error = Assert.ThrowsAsync<UnexpectedMediaTypeException>(() => client.SendAsync(request));

        Assert.That(error!.ReceivedMediaType, Is.EqualTo(contentType));
        Assert.That(error.RequestedMediaTypes, Is.EqualTo(new[] { ConfigV1 }));
    }

    [Test]
    public void An_older_version_than_asked_for_is_rejected()
    {
        var server = _servers.Start();
        Answer(server, 200, "application/vnd.databack.device-config.v1+json", "{}");
        using var client = TestPipelines.Client(mediaTypes: new MediaTypeHandler());
        using var request = new HttpRequestMessage(HttpMethod.Get, server.Uri("/config/abc"));
        request.Options.Set(MediaTypeOptions.RequestOptionsKey, new MediaTypeOptions { Accept = VendorMediaType.Parse("application/vnd.databack.device-config.v2+json") });

        Assert.ThrowsAsync<UnexpectedMediaTypeException>(() => client.SendAsync(request));
        Assert.That(server.Requests().Single().Header("Accept"), Is.EqualTo("application/vnd.databack.device-config.v2+json"));
    }

    [Test]
    public void Not_acceptable_406_says_which_version_was_asked_for()
    {
        var server = _servers.Start();
        Answer(server, 406, "application/problem+json", "{\"title\":\"Unsupported version\",\"status\":406}");
        using var client = TestPipelines.Client(mediaTypes: new MediaTypeHandler());
        using var request = GetConfig(server);

        var error = Assert.ThrowsAsync<NotAcceptableException>(() => client.SendAsync(request));

        Assert.That(error!.RequestedMediaTypes, Is.EqualTo(new[] { ConfigV1 }));
        Assert.That(error.Message, Does.Contain(ConfigV1));
        Assert.That(error.Problem!.Title, Is.EqualTo("Unsupported version"));
    }

    [Test]
    public async Task Error_responses_are_not_media_type_checked()
    {
        var server = _servers.Start();
        Answer(server, 500, "application/problem+json", "{}");
        using var client = TestPipelines.Client(mediaTypes: new MediaTypeHandler());
        using var request = GetConfig(server);

        using var response = await client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError));
    }

    [TestCase("application/vnd.databack.device-config.v1+json", "device-config", 1, "json")]
    [TestCase("application/vnd.databack.device-config.v12", "device-config", 12, "json")]
    [TestCase("application/vnd.databack.device-config+json", "device-config", null, "json")]
    [TestCase("application/vnd.databack.device-config", "device-config", null, "json")]
    [TestCase("Application/VND.databack.Report.Event.v3+YAML; charset=utf-8", "report.event", 3, "yaml")]
    public void Vendor_media_types_parse_with_the_spec_defaults(string value, string resource, int? version, string format)
    {
        Assert.That(VendorMediaType.TryParse(value, out var parsed), Is.True);
        Assert.That((parsed!.Resource, parsed.Version, parsed.EffectiveFormat), Is.EqualTo((resource, version, format)));
    }

    [TestCase("application/json")]
    [TestCase("application/vnd.databack.")]
    [TestCase("application/vnd.databack.config.v0+json")]
    [TestCase("text/vnd.databack.config.v1+json")]
    public void Non_vendor_media_types_do_not_parse(string value) =>
        Assert.That(VendorMediaType.TryParse(value, out _), Is.False);

    [Test]
    public void Vendor_media_types_print_in_full_form() =>
        Assert.That(new VendorMediaType("device-config", 2, "json").ToString(), Is.EqualTo("application/vnd.databack.device-config.v2+json"));

    [TestCase(500, "text/html", TestName = "An endless 500 page is read only to its first megabyte and still reported with its status")]
    [TestCase(403, "application/problem+json", TestName = "An endless 403 problem is read only to its first megabyte and still reported with its status")]
    public void An_endless_error_body_is_read_only_up_to_a_megabyte(int status, string contentType)
    {
        var body = new CountingStream(status == 403 ? "{\"title\":\"" : "<html>", 500L * 1024 * 1024);
        using var http = TestPipelines.Client(
            primary: new AnswerHandler(() => new HttpResponseMessage((HttpStatusCode)status)
            {
                Content = new StreamContent(body) { Headers = { ContentType = new MediaTypeHeaderValue(contentType) } },
            }),
            mediaTypes: new MediaTypeHandler());
        http.BaseAddress = new Uri("https://controller.test/");
        var client = new OrchestrationClient(http);

        var error = Assert.CatchAsync<DatabackerApiException>(() => client.GetConfigAsync("i-1"));

        Assert.Multiple(() =>
        {
            Assert.That(error!.StatusCode, Is.EqualTo((HttpStatusCode)status));
            Assert.That(body.BytesRead, Is.LessThanOrEqualTo(2 * 1024 * 1024), "never the whole body");
        });
    }

    [Test]
    public async Task A_short_error_body_is_read_as_sent()
    {
        const string problem = "{\"type\":\"about:blank\",\"title\":\"Forbidden\",\"status\":403,\"detail\":\"not yours\"}";
        using var http = TestPipelines.Client(
            primary: new AnswerHandler(() => new HttpResponseMessage(HttpStatusCode.Forbidden)
            {
                Content = new StringContent(problem, System.Text.Encoding.UTF8, "application/problem+json"),
            }),
            mediaTypes: new MediaTypeHandler());

        using var response = await http.GetAsync("https://controller.test/engines/config/i-1");

        Assert.Multiple(async () =>
        {
            Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo(problem));
            Assert.That(response.Content.Headers.ContentLength, Is.EqualTo(System.Text.Encoding.UTF8.GetByteCount(problem)));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        });
    }
}

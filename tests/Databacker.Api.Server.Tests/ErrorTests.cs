using System.Net;
using System.Text;
using Databacker.Api.Server.Errors;

namespace Databacker.Api.Server.Tests;

/// <summary>Bad input is a 4xx problem, never a 500 or a stack trace; bodies over the limit are 413.</summary>
public sealed class ErrorTests
{
    internal const string ValidBatch = """{"events":[{"id":"0b6c3f58-6b1c-4a5e-9e5e-1f2d3c4b5a69","run":"5b0c8f1e-2f7d-4a51-9d0e-0a2b4c6d8e10","type":"run-started","timestamp":"2025-01-01T00:00:00Z"}]}""";
    private const string Events = "application/vnd.databack.events.v1+json";

    private static async Task<HttpResponseMessage> PostEvents(TestServerHost host, HttpContent content, string instance = TestServerHost.InstanceA)
    {
        var request = host.Request(HttpMethod.Post, $"/engines/telemetry/{instance}/events", host.AgentToken(TestServerHost.InstanceA, "reporting"));
        request.Content = content;
        return await host.Client.SendAsync(request);
    }

    private static async Task<HttpResponseMessage> SendAsAdministrator(TestServerHost host, HttpMethod method, string path, string body, string contentType)
    {
        var request = host.Request(method, path, TestServerHost.UserToken());
        request.Content = new StringContent(body, Encoding.UTF8, contentType);
        return await host.Client.SendAsync(request);
    }

    [Test]
    public async Task A_valid_event_batch_reaches_the_controller()
    {
        await using var host = await TestServerHost.StartAsync();
        using var response = await PostEvents(host, new StringContent(ValidBatch, Encoding.UTF8, Events));
        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/vnd.databack.event-receipt.v1+json"));
        });
    }

    [TestCase("application/vnd.databack.events.v1")]
    [TestCase("application/vnd.databack.events.v1; charset=utf-8")]
    [TestCase("application/vnd.databack.events+json")]
    public async Task A_content_type_that_denotes_a_supported_one_is_bound_as_it(string contentType)
    {
        await using var host = await TestServerHost.StartAsync();
        var content = new StringContent(ValidBatch, Encoding.UTF8);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        using var response = await PostEvents(host, content);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
    }

    [TestCase("{\"events\": [", TestName = "Malformed JSON is a 400 invalid-body problem")]
    [TestCase("{\"events\": \"not a list\"}", TestName = "A member of the wrong type is a 400 invalid-body problem")]
    [TestCase("{}", TestName = "A missing required member is a 400 invalid-body problem")]
    [TestCase("{\"events\": []}", TestName = "A body failing validation is a 400 invalid-body problem")]
    [TestCase("{\"events\":[{\"id\":\"not-a-uuid\",\"run\":\"5b0c8f1e-2f7d-4a51-9d0e-0a2b4c6d8e10\",\"type\":\"run-started\",\"timestamp\":\"2025-01-01T00:00:00Z\"}]}", TestName = "A nested member of the wrong type is a 400 invalid-body problem")]
    [TestCase("", TestName = "An empty body is a 400 invalid-body problem")]
    [TestCase("{\"events\": [null]}", TestName = "A null item in an array is a 400 invalid-body problem")]
    public async Task Invalid_bodies_are_400_problems_listing_the_errors(string body)
    {
        await using var host = await TestServerHost.StartAsync();
        using var response = await PostEvents(host, new StringContent(body, Encoding.UTF8, Events));
        var problem = await Problems.AssertProblemAsync(response, 400, DatabackerProblemTypes.InvalidBody);
        Assert.That(problem.GetProperty("errors").EnumerateObject().Count(), Is.GreaterThan(0));
    }

    [Test]
    public async Task The_problems_instance_is_the_path_as_sent_a_uri_reference()
    {
        await using var host = await TestServerHost.StartAsync();
        using var response = await host.Client.SendAsync(host.Request(HttpMethod.Get, "/instances/a%20b", TestServerHost.UserToken()));
        var problem = await Problems.AssertProblemAsync(response, 400, DatabackerProblemTypes.InvalidParameter);
        Assert.That(problem.GetProperty("instance").GetString(), Is.EqualTo("/instances/a%20b"));
    }

    [TestCase("/engines/config/-starts-with-dash")]
    [TestCase("/engines/config/has%20space")]
    [TestCase("/engines/config/trailing-newline%0A")]
    [TestCase("/engines/config/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [TestCase("/instances/orders-db/keys/bad%24kid")]
    [TestCase("/instances/orders-db/runs/not-a-uuid")]
    [TestCase("/instances/orders-db/runs/%7B5b0c8f1e-2f7d-4a51-9d0e-0a2b4c6d8e10%7D", TestName = "A run id in braces is a 400 naming run")]
    [TestCase("/instances/orders-db/runs/5b0c8f1e2f7d4a519d0e0a2b4c6d8e10", TestName = "A run id without hyphens is a 400 naming run")]
    public async Task Invalid_path_parameters_are_400_problems_naming_the_parameter(string path)
    {
        await using var host = await TestServerHost.StartAsync();
        var method = path.Contains("/keys/", StringComparison.Ordinal) ? HttpMethod.Delete : HttpMethod.Get;
        using var response = await host.Client.SendAsync(host.Request(method, path, host.AgentToken(TestServerHost.InstanceA, "orchestration")));
        await Problems.AssertProblemAsync(response, 400, DatabackerProblemTypes.InvalidParameter);
    }

    [Test]
    public async Task A_body_declared_larger_than_the_operation_limit_is_a_413_problem_stating_the_limit()
    {
        await using var host = await TestServerHost.StartAsync(o => o.RequestBodyLimits.Operations["Reporting_PostEvents"] = 1024);
        var large = ValidBatch.Replace("\"run-started\"", "\"run-started\",\"database\":\"" + new string('d', 2000) + "\"", StringComparison.Ordinal);
        using var response = await PostEvents(host, new StringContent(large, Encoding.UTF8, Events));
        var problem = await Problems.AssertProblemAsync(response, 413, DatabackerProblemTypes.PayloadTooLarge);
        Assert.That(problem.GetProperty("limit").GetInt64(), Is.EqualTo(1024));
    }

    [Test]
    public async Task A_chunked_log_stream_crossing_the_limit_is_a_413_problem()
    {
        await using var host = await TestServerHost.StartAsync(o => o.RequestBodyLimits.Operations["Reporting_PostLogs"] = 4096);
        var request = host.Request(HttpMethod.Post, "/engines/telemetry/orders-db/log", host.AgentToken(TestServerHost.InstanceA, "reporting"));
        request.Content = new StreamContent(new UnknownLengthStream(Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"msg\":\"line\"}\n", 1000)))));
        request.Content.Headers.ContentType = new("application/x-ndjson");
        using var response = await host.Client.SendAsync(request);
        var problem = await Problems.AssertProblemAsync(response, 413, DatabackerProblemTypes.PayloadTooLarge);
        Assert.That(problem.GetProperty("limit").GetInt64(), Is.EqualTo(4096));
    }

    [Test]
    public async Task A_log_stream_within_the_limit_is_accepted()
    {
        await using var host = await TestServerHost.StartAsync();
        var request = host.Request(HttpMethod.Post, "/engines/telemetry/orders-db/log", host.AgentToken(TestServerHost.InstanceA, "reporting"));
        request.Content = new StreamContent(new UnknownLengthStream(Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"msg\":\"line\"}\n", 1000)))));
        request.Content.Headers.ContentType = new("application/x-ndjson");
        using var response = await host.Client.SendAsync(request);
        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("\"accepted\":1000"));
        });
    }

    [TestCase("""{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","d":"jpsQnnGQmL-YBIffH1136cLNdPEMFNDMNHPk5G1ZeWE"}""")]
    [TestCase("""{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","x5u":"https://keys.example/k"}""")]
    public async Task A_registration_key_with_a_private_part_or_unknown_member_is_a_400_not_silently_trimmed(string jwk)
    {
        await using var host = await TestServerHost.StartAsync();
        using var response = await SendAsAdministrator(host, HttpMethod.Post, "/instances/orders-db/keys", jwk, "application/jwk+json");
        await Problems.AssertProblemAsync(response, 400, DatabackerProblemTypes.InvalidBody);
    }

    [TestCase("""{"kty":"EC","crv":"P-256","kid":undefined,"x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}""")]
    [TestCase("""{"kty":"EC","crv":"P-256","kid":new Date(1),"x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}""")]
    public async Task A_registration_key_with_javascript_values_that_are_not_json_is_a_400(string jwk)
    {
        await using var host = await TestServerHost.StartAsync();
        using var response = await SendAsAdministrator(host, HttpMethod.Post, "/instances/orders-db/keys", jwk, "application/jwk+json");
        await Problems.AssertProblemAsync(response, 400, DatabackerProblemTypes.InvalidBody);
    }

    [TestCase("""{"version":"config.databack.io/v1","kind":{},"metadata":{"name":"r"},"spec":{}}""")]
    [TestCase("""{"version":"config.databack.io/v1","kind":[1],"metadata":{"name":"r"},"spec":{}}""")]
    [TestCase("""{"version":"config.databack.io/v1","kind":5,"metadata":{"name":"r"},"spec":{}}""")]
    [TestCase("""{"version":"config.databack.io/v1","metadata":{"name":"r"},"spec":{"logging":"info"}}""", TestName = "A configuration without a kind is a 400")]
    [TestCase("""{"version":"config.databack.io/v1","kind":null,"metadata":{"name":"r"},"spec":{"logging":"info"}}""", TestName = "A configuration whose kind is null is a 400")]
    [TestCase("""{"version":"config.databack.io/v1","kind":"bogus","metadata":{"name":"r"},"spec":{"logging":"info"}}""", TestName = "A configuration of an unknown kind is a 400")]
    public async Task A_configuration_whose_kind_is_not_a_string_is_a_400(string document)
    {
        await using var host = await TestServerHost.StartAsync();
        using var response = await SendAsAdministrator(host, HttpMethod.Put, "/instances/orders-db/config", document, "application/vnd.databack.device-config.v1+json");
        await Problems.AssertProblemAsync(response, 400, DatabackerProblemTypes.InvalidBody);
    }

    [TestCase("""{"name":null}""", "name")]
    [TestCase("""{"services":null}""", "services")]
    [TestCase("""{"name":"orders","description":null}""", "description")]
    public async Task An_explicit_null_in_an_instance_update_is_a_400_naming_the_member_not_unchanged(string update, string member)
    {
        await using var host = await TestServerHost.StartAsync();
        using var response = await SendAsAdministrator(host, HttpMethod.Patch, "/instances/orders-db", update, "application/vnd.databack.instance-update.v1+json");
        var problem = await Problems.AssertProblemAsync(response, 400, DatabackerProblemTypes.InvalidBody);
        Assert.That(problem.ToString(), Does.Contain(member));
    }

    [Test]
    public async Task An_instance_update_without_nulls_is_bound()
    {
        await using var host = await TestServerHost.StartAsync();
        using var response = await SendAsAdministrator(host, HttpMethod.Patch, "/instances/orders-db", """{"name":"orders","services":["reporting"]}""", "application/vnd.databack.instance-update.v1+json");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task An_explicit_null_for_an_optional_event_member_is_a_400_and_a_null_attribute_value_is_kept()
    {
        await using var host = await TestServerHost.StartAsync();
        using var nullMember = await PostEvents(host, new StringContent(ValidBatch.Replace("\"type\"", "\"database\":null,\"type\"", StringComparison.Ordinal), Encoding.UTF8, Events));
        using var nullAttribute = await PostEvents(host, new StringContent(ValidBatch.Replace("\"type\"", "\"attributes\":{\"exit\":null},\"type\"", StringComparison.Ordinal), Encoding.UTF8, Events));

        var problem = await Problems.AssertProblemAsync(nullMember, 400, DatabackerProblemTypes.InvalidBody);
        Assert.Multiple(async () =>
        {
            Assert.That(problem.ToString(), Does.Contain("database"));
            Assert.That((int)nullAttribute.StatusCode, Is.InRange(200, 299), await nullAttribute.Content.ReadAsStringAsync());
        });
    }

    [Test]
    public async Task Date_like_strings_and_numbers_of_any_size_among_unknown_members_come_back_as_sent()
    {
        await using var host = await TestServerHost.StartAsync();
        const string document = """{"kind":"local","version":"config.databack.io/v1","metadata":{"name":"r","until":"2025-06-01T12:00:00+02:00"},"spec":{"threshold":1e30,"tiny":1e-30}}""";

        using var response = await SendAsAdministrator(host, HttpMethod.Put, "/instances/orders-db/config", document, "application/vnd.databack.device-config.v1+json");
        var echoed = await response.Content.ReadAsStringAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), echoed);
        Assert.That(echoed, Does.Contain("\"until\":\"2025-06-01T12:00:00+02:00\"").And.Contain("\"threshold\":1E+30").And.Contain("\"tiny\":1E-30"));
    }

    [Test]
    public async Task An_event_timestamp_without_an_offset_is_a_400_not_a_time_in_the_servers_zone()
    {
        await using var host = await TestServerHost.StartAsync();
        using var response = await PostEvents(host, new StringContent(ValidBatch.Replace("2025-01-01T00:00:00Z", "2025-01-01T00:00:00", StringComparison.Ordinal), Encoding.UTF8, Events));
        await Problems.AssertProblemAsync(response, 400, DatabackerProblemTypes.InvalidBody);
    }

    [Test]
    public async Task The_400_for_an_unknown_kind_names_the_kinds_there_are()
    {
        await using var host = await TestServerHost.StartAsync();
        using var response = await SendAsAdministrator(host, HttpMethod.Put, "/instances/orders-db/config",
            """{"version":"config.databack.io/v1","kind":"kms","metadata":{"name":"r"},"spec":{}}""", "application/vnd.databack.device-config.v1+json");

        var problem = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.That((int)response.StatusCode, Is.EqualTo(400));
        Assert.That(problem.GetProperty("errors").GetProperty("kind")[0].GetString(), Is.EqualTo("'kind' must be one of 'local', 'remote', 'encrypted', not 'kms'."));
    }

    [Test]
    public async Task A_configuration_with_a_null_target_is_a_400()
    {
        await using var host = await TestServerHost.StartAsync();
        const string document = """{"kind":"local","version":"config.databack.io/v1","metadata":{"name":"r"},"spec":{"targets":{"s3":null}}}""";

        using var response = await SendAsAdministrator(host, HttpMethod.Put, "/instances/orders-db/config", document, "application/vnd.databack.device-config.v1+json");

        await Problems.AssertProblemAsync(response, 400, DatabackerProblemTypes.InvalidBody);
    }

    [Test]
    public async Task A_public_registration_key_binds()
    {
        await using var host = await TestServerHost.StartAsync();
        using var response = await SendAsAdministrator(host, HttpMethod.Post, "/instances/orders-db/keys", """{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}""", "application/jwk+json");
        Assert.That((int)response.StatusCode, Is.LessThan(400), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task Other_operations_default_to_a_small_limit()
    {
        await using var host = await TestServerHost.StartAsync(o => o.RequestBodyLimits.DefaultMaxBytes = 512);
        using var response = await SendAsAdministrator(host, HttpMethod.Put, "/instances/orders-db/config", new string(' ', 600) + "{}", "application/vnd.databack.device-config.v1+json");
        await Problems.AssertProblemAsync(response, 413, DatabackerProblemTypes.PayloadTooLarge);
    }

    [Test]
    public async Task An_exception_in_a_controller_is_a_bare_500_problem_disclosing_nothing()
    {
        await using var host = await TestServerHost.StartAsync();
        using var response = await host.Client.SendAsync(host.Request(HttpMethod.Get, "/instances/explode", TestServerHost.UserToken()));
        await Problems.AssertProblemAsync(response, 500, DatabackerProblemTypes.InternalError);
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Not.Contain(TestAdministrationController.SecretFailure));
    }

    [Test]
    public async Task Bodiless_errors_from_controllers_get_a_problem_body()
    {
        await using var host = await TestServerHost.StartAsync();
        using var response = await host.Client.SendAsync(host.Request(HttpMethod.Get, "/engines/config/orders-db"));
        await Problems.AssertProblemAsync(response, 401, DatabackerProblemTypes.Unauthorized);
    }

    private sealed class UnknownLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}

using System.Net;
using System.Text;
using Databacker.Api.Server.Reporting;

namespace Databacker.Api.Server.Tests;

/// <summary>
/// Bodies are read as the contract defines them, not as leniently as Json.NET would: JSON only (no JavaScript), no
/// number beyond a double, values of the declared JSON type, members named like Json.NET metadata kept, lengths in
/// code points as JSON Schema counts them, query date-times in RFC 3339, and a missing body named as such.
/// </summary>
[TestFixture]
public sealed class ContractStrictnessTests
{
    private static readonly Guid Run = Guid.Parse("0b3c1b8e-3c55-4c55-9a58-8f0d2e0e7c11");
    private const string Events = "application/vnd.databack.events.v1+json";

    private static string LogLine(string seq, string level = "info", string message = "\"m\"") =>
        $$"""{"run":"{{Run}}","seq":{{seq}},"timestamp":"2026-11-26T20:00:00Z","level":"{{level}}","stream":"stdout","message":{{message}}}""";

    private static Task<LogBodyReadResult> Read(string body) =>
        new NdjsonLogReader().ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(body)));

    // Json.NET would round 1.5 and 2.5 both to 2, making one line a "duplicate" of another.
    [TestCase("1.5")]
    [TestCase("\"3\"")]
    [TestCase("true")]
    public async Task A_seq_that_is_not_an_integer_is_a_bad_line(string seq)
    {
        var result = await Read(LogLine("0") + "\n" + LogLine(seq) + "\n");
        Assert.That(result.Succeeded, Is.False, "stored as seq " + string.Join(",", result.Entries.Select(e => e.Seq)));
    }

    [Test]
    public async Task A_message_that_is_not_a_string_is_a_bad_line()
    {
        var result = await Read(LogLine("0", message: "123") + "\n");
        Assert.That(result.Succeeded, Is.False, "message became " + result.Entries.FirstOrDefault()?.Message);
    }

    [TestCase(""","durationMs":1.5""")]
    [TestCase(",\"exitCode\":\"7\"")]
    public async Task An_event_member_of_the_wrong_type_is_a_400(string member)
    {
        await using var host = await TestServerHost.StartAsync();
        var batch = ErrorTests.ValidBatch.Replace("\"type\":\"run-started\"", "\"type\":\"run-started\"" + member, StringComparison.Ordinal);
        using var response = await PostEvents(host, batch);
        Assert.That((int)response.StatusCode, Is.EqualTo(400), await response.Content.ReadAsStringAsync());
    }

    // Json.NET would keep 1e400 as infinity and write it back as the string "Infinity".
    [Test]
    public async Task A_number_beyond_the_range_of_a_double_is_a_400_not_stored_as_the_string_Infinity()
    {
        await using var host = await TestServerHost.StartAsync();
        using var response = await PutConfig(host, """{"huge":1e400}""");
        var problem = await Problems.AssertProblemAsync(response, 400, Errors.DatabackerProblemTypes.InvalidBody);
        Assert.That(problem.ToString(), Does.Contain("beyond the range"));
    }

    // JSON Schema's maxLength counts code points, not UTF-16 units.
    [Test]
    public async Task An_event_database_of_200_astral_characters_is_within_maxLength_256()
    {
        await using var host = await TestServerHost.StartAsync();
        var db = string.Concat(Enumerable.Repeat("\U0001F4BE", 200));
        var batch = ErrorTests.ValidBatch.Replace("\"type\":\"run-started\"", "\"type\":\"dump-finished\",\"database\":\"" + db + "\"", StringComparison.Ordinal);
        using var response = await PostEvents(host, batch);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task A_level_of_nine_astral_characters_is_within_maxLength_16()
    {
        var result = await Read(LogLine("0", level: string.Concat(Enumerable.Repeat("\U0001F525", 9))) + "\n");
        Assert.That(result.Succeeded, Is.True, result.Error?.Reason);
    }

    // 'since' is an RFC 3339 date-time; MVC's binder would read one without an offset in the server's own time zone.
    [TestCase("/summary?since=2025-01-01")]
    [TestCase("/summary?since=2025-01-01T00:00:00")]
    [TestCase("/summary?since=01/02/2025")]
    public async Task A_since_that_is_not_an_RFC3339_date_time_with_offset_is_a_400(string path)
    {
        await using var host = await TestServerHost.StartAsync();
        using var response = await host.Client.SendAsync(host.Request(HttpMethod.Get, path, TestServerHost.UserToken()));
        Assert.That((int)response.StatusCode, Is.EqualTo(400), await response.Content.ReadAsStringAsync());
    }

    [TestCase("/summary?since=2025-01-01T00:00:00Z")]
    [TestCase("/summary?since=2025-01-01T00:00:00.123%2B02:00")]
    [TestCase("/summary?since=2025-01-01T00:00:00+02:00", TestName = "An unescaped plus in the offset is read as a plus")]
    [TestCase("/instances/orders-db/runs?since=2025-01-01T00:00:00-05:00")]
    public async Task A_since_in_RFC3339_with_an_offset_is_bound(string path)
    {
        await using var host = await TestServerHost.StartAsync();
        using var response = await host.Client.SendAsync(host.Request(HttpMethod.Get, path, TestServerHost.UserToken()));
        Assert.That((int)response.StatusCode, Is.EqualTo(200), await response.Content.ReadAsStringAsync());
    }

    // MVC would answer a bare 415 without the supported types.
    [Test]
    public async Task A_bodiless_event_post_is_a_problem_listing_the_supported_types()
    {
        await using var host = await TestServerHost.StartAsync();
        var request = host.Request(HttpMethod.Post, "/engines/telemetry/orders-db/events", host.AgentToken(TestServerHost.InstanceA, "reporting"));
        using var response = await host.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(400), body);
        using var problem = System.Text.Json.JsonDocument.Parse(body);
        Assert.Multiple(() =>
        {
            Assert.That(problem.RootElement.GetProperty("supported").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { Events }));
            Assert.That(problem.RootElement.GetProperty("errors").GetProperty("$")[0].GetString(), Does.Contain("body is required"));
        });
    }

    // Json.NET would read $id, $type, $ref and $values as its metadata: dropped, or replaced by what they refer to.
    [TestCase("""{"$id":"5","a":1}""")]
    [TestCase("""{"$type":"x","a":1}""")]
    [TestCase("""{"$ref":"x"}""")]
    [TestCase("""{"$values":[1,2]}""")]
    public async Task Unknown_members_named_like_JsonNet_metadata_come_back_as_sent(string custom)
    {
        await using var host = await TestServerHost.StartAsync();
        using var response = await PutConfig(host, """{"custom":""" + custom + "}");
        var echoed = await response.Content.ReadAsStringAsync();
        Assert.That(echoed, Does.Contain("\"custom\":" + custom), echoed);
    }

    [Test]
    public async Task Log_fields_named_like_JsonNet_metadata_are_kept()
    {
        var result = await Read(LogLine("0").TrimEnd('}') + ""","fields":{"$type":"audit","user":"bob"}}""" + "\n");
        Assert.That(result.Entries[0].Fields!.Keys, Does.Contain("$type"));
    }

    // Json.NET would read JavaScript that is not JSON, and the run log would serve it back ("undefined").
    [TestCase("[1,,2]")]
    [TestCase("undefined")]
    [TestCase("NaN")]
    [TestCase("new Date(1)")]
    public async Task A_log_line_whose_fields_are_not_json_is_a_bad_line(string value)
    {
        var result = await Read(LogLine("0").TrimEnd('}') + ""","fields":{"b":""" + value + "}}\n");
        Assert.That(result.Succeeded, Is.False, Newtonsoft.Json.JsonConvert.SerializeObject(result.Entries.FirstOrDefault()?.Fields));
    }

    [TestCase("[1,,2]")]
    [TestCase("undefined")]
    [TestCase("NaN")]
    [TestCase("'single'")]
    [TestCase("{unquoted:1}")]
    [TestCase("[1,2,]")]
    [TestCase("1 /* comment */")]
    public async Task A_configuration_that_is_not_json_is_a_400_not_stored_and_served_as_non_json(string value)
    {
        await using var host = await TestServerHost.StartAsync();
        using var response = await PutConfig(host, """{"x":""" + value + "}");
        var echoed = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(400), echoed);
    }

    [TestCase("""{"services":["Scheduling","reporting"]}""", "Scheduling")]
    [TestCase("""{"services":["bogus"]}""", "bogus")]
    public async Task A_service_the_contract_does_not_define_is_a_400_naming_it(string update, string service)
    {
        await using var host = await TestServerHost.StartAsync();
        var request = host.Request(HttpMethod.Patch, "/instances/orders-db", TestServerHost.UserToken());
        request.Content = new StringContent(update, Encoding.UTF8, "application/vnd.databack.instance-update.v1+json");
        using var response = await host.Client.SendAsync(request);
        var problem = await Problems.AssertProblemAsync(response, 400, Errors.DatabackerProblemTypes.InvalidBody);
        Assert.That(problem.GetProperty("errors").GetProperty("services")[0].GetString(), Does.Contain($"'{service}'"));
    }

    [Test]
    public async Task A_body_of_more_json_values_than_the_limit_is_a_413_before_it_is_bound()
    {
        await using var host = await TestServerHost.StartAsync();
        var zeros = string.Join(",", Enumerable.Repeat("0", 70_000)); // 140 KB of text, about 6 MiB as Json.NET objects
        var batch = ErrorTests.ValidBatch.Replace("\"type\":\"run-started\"", "\"type\":\"run-started\",\"attributes\":{\"a\":[" + zeros + "]}", StringComparison.Ordinal);

        using var response = await PostEvents(host, batch);

        var problem = await Problems.AssertProblemAsync(response, 413, Errors.DatabackerProblemTypes.PayloadTooLarge);
        Assert.That(problem.GetProperty("maxValues").GetInt64(), Is.EqualTo(65_536));
    }

    [Test]
    public async Task A_body_within_the_value_limit_is_bound()
    {
        await using var host = await TestServerHost.StartAsync();
        var zeros = string.Join(",", Enumerable.Repeat("0", 60_000));
        var batch = ErrorTests.ValidBatch.Replace("\"type\":\"run-started\"", "\"type\":\"run-started\",\"attributes\":{\"a\":[" + zeros + "]}", StringComparison.Ordinal);

        using var response = await PostEvents(host, batch);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
    }

    [TestCase("application/x-ndjson; charset=utf-16", 415)]
    [TestCase("application/x-ndjson; charset=iso-8859-1", 415)]
    [TestCase("application/x-ndjson; charset=UTF-8", 201)]
    [TestCase("application/x-ndjson", 201)]
    public async Task A_log_body_is_utf8_and_one_naming_another_charset_is_refused(string contentType, int status)
    {
        await using var host = await TestServerHost.StartAsync();
        var request = host.Request(HttpMethod.Post, "/engines/telemetry/orders-db/log", host.AgentToken(TestServerHost.InstanceA, "reporting"));
        request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(LogLine("0") + "\n"));
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        using var response = await host.Client.SendAsync(request);
        Assert.That((int)response.StatusCode, Is.EqualTo(status), await response.Content.ReadAsStringAsync());
    }

    [TestCase("utf-7")]
    [TestCase("x-unknown")]
    public async Task A_json_body_in_a_charset_the_server_does_not_read_is_a_415_not_a_500(string charset)
    {
        await using var host = await TestServerHost.StartAsync();
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(ErrorTests.ValidBatch));
        content.Headers.TryAddWithoutValidation("Content-Type", $"{Events}; charset={charset}");
        using var response = await PostEvents(host, content);
        Assert.That((int)response.StatusCode, Is.EqualTo(415), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task A_utf16_body_that_says_so_is_checked_as_the_same_json_and_bound()
    {
        await using var host = await TestServerHost.StartAsync();
        using var response = await PostEvents(host, new StringContent(ErrorTests.ValidBatch, Encoding.Unicode, Events));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task A_whole_number_written_with_a_fraction_is_an_integer_as_json_schema_says()
    {
        await using var host = await TestServerHost.StartAsync();
        var batch = ErrorTests.ValidBatch.Replace("\"type\":\"run-started\"", "\"type\":\"run-started\",\"exitCode\":2.0", StringComparison.Ordinal);
        using var response = await PostEvents(host, batch);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
    }

    private static async Task<HttpResponseMessage> PutConfig(TestServerHost host, string spec)
    {
        var request = host.Request(HttpMethod.Put, "/instances/orders-db/config", TestServerHost.UserToken());
        request.Content = new StringContent("""{"kind":"local","version":"config.databack.io/v1","metadata":{"name":"r"},"spec":""" + spec + "}",
            Encoding.UTF8, "application/vnd.databack.device-config.v1+json");
        return await host.Client.SendAsync(request);
    }

    private static Task<HttpResponseMessage> PostEvents(TestServerHost host, string batch) =>
        PostEvents(host, new StringContent(batch, Encoding.UTF8, Events));

    private static async Task<HttpResponseMessage> PostEvents(TestServerHost host, HttpContent content)
    {
        var request = host.Request(HttpMethod.Post, "/engines/telemetry/orders-db/events", host.AgentToken(TestServerHost.InstanceA, "reporting"));
        request.Content = content;
        return await host.Client.SendAsync(request);
    }
}

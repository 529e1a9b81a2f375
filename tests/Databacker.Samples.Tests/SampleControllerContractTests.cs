using System.Net.Http.Headers;
using System.Text;
using Databacker.Samples.Hosting;

namespace Databacker.Samples.Tests;

/// <summary>
/// The sample controller keeps the contract with agents that do not: its text log has one line per entry whatever the
/// entries hold, and an instance whose account has no reporting cannot report.
/// </summary>
public sealed class SampleControllerContractTests : EndToEndTest
{
    private static async Task<HttpResponseMessage> PostLogAsync(SampleController controller, string instance, string keyFile, string body)
    {
        var (assertion, endpoint) = await AgentTokens.CreateAssertionAsync(controller.BaseUrl, instance, keyFile);
        var (_, token, _) = await AgentTokens.ExchangeAsync(endpoint, assertion, "reporting");
        using var http = new HttpClient { BaseAddress = controller.BaseUrl };
        using var post = new HttpRequestMessage(HttpMethod.Post, $"engines/telemetry/{instance}/log") { Content = new StringContent(body, Encoding.UTF8, "application/x-ndjson") };
        post.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.SendAsync(post);
    }

    [Test, CancelAfter(90_000)]
    public async Task The_text_log_has_one_line_per_entry_even_when_an_entry_holds_line_breaks_or_control_characters()
    {
        var controller = await StartControllerAsync();
        var (instance, keyFile) = await RegisterAsync(controller, "orders-db");
        var run = Guid.NewGuid();
        var body = $$"""
            {"run":"{{run}}","seq":0,"timestamp":"2025-01-01T00:00:00Z","stream":"stdout","level":"info\n2099 FATAL","message":"one"}
            {"run":"{{run}}","seq":1,"timestamp":"2025-01-01T00:00:01Z","stream":"stdout","level":"info","message":"two\r\u001b[2Jthree\u2028four"}

            """;
        using (var posted = await PostLogAsync(controller, instance, keyFile, body))
        {
            Assert.That((int)posted.StatusCode, Is.EqualTo(201), await posted.Content.ReadAsStringAsync());
        }

        using var http = new HttpClient { BaseAddress = controller.BaseUrl };
        using var get = new HttpRequestMessage(HttpMethod.Get, $"instances/{instance}/runs/{run}/log");
        get.Headers.Authorization = new AuthenticationHeaderValue("Bearer", controller.AdminToken);
        get.Headers.Accept.ParseAdd("text/plain");
        using var response = await http.SendAsync(get);
        var text = await response.Content.ReadAsStringAsync();

        var lines = text.TrimEnd('\n').Split('\n');
        Assert.Multiple(() =>
        {
            Assert.That(lines, Has.Length.EqualTo(2), text);
            Assert.That(text.Where(c => c != '\n').Any(char.IsControl), Is.False, "no control character reaches a terminal");
            Assert.That(lines[1], Does.EndWith("two  [2Jthree four"));
        });
    }

    [Test, CancelAfter(90_000)]
    public async Task An_instance_without_reporting_is_refused_its_reports()
    {
        var controller = await StartControllerAsync();
        var (instance, keyFile) = await RegisterAsync(controller, "orders-db", "scheduling");
        var line = $$"""{"run":"{{Guid.NewGuid()}}","seq":0,"timestamp":"2025-01-01T00:00:00Z","stream":"stdout","message":"m"}""" + "\n";

        using var posted = await PostLogAsync(controller, instance, keyFile, line);

        Assert.That((int)posted.StatusCode, Is.EqualTo(403), await posted.Content.ReadAsStringAsync());
    }
}

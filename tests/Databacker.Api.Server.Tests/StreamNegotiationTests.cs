using System.Net;
using System.Text.Json;
using Databacker.Api.Server.Errors;
using Databacker.Api.Server.Routing;
using YamlDotNet.RepresentationModel;

namespace Databacker.Api.Server.Tests;

/// <summary>
/// Streamed responses offered in several media types (a run's log: NDJSON or text) are negotiated by the runtime like
/// any other: the action only writes the stream in the type it is handed.
/// </summary>
public sealed class StreamNegotiationTests
{
    private const string LogPath = "/instances/" + TestServerHost.InstanceA + "/runs/5b0c8f1e-2f7d-4a51-9d0e-0a2b4c6d8e10/log";
    private TestServerHost _host = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _host = await TestServerHost.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    [TestCase(null, "application/x-ndjson", "{\"seq\":1", TestName = "Without Accept a run's log is NDJSON")]
    [TestCase("*/*", "application/x-ndjson", "{\"seq\":1", TestName = "Accept */* gets a run's log as NDJSON")]
    [TestCase("application/x-ndjson", "application/x-ndjson", "{\"seq\":1", TestName = "Accept application/x-ndjson gets a run's log as NDJSON")]
    [TestCase("text/plain", "text/plain", "line one", TestName = "Accept text/plain gets a run's log as UTF-8 text")]
    [TestCase("text/*", "text/plain", "line one", TestName = "Accept text/* gets a run's log as text")]
    [TestCase("application/x-ndjson;q=0.5, text/plain;q=0.9", "text/plain", "line one", TestName = "q-values choose text over NDJSON for a run's log")]
    [TestCase("text/plain;q=0.1, application/*", "application/x-ndjson", "{\"seq\":1", TestName = "q-values choose NDJSON over text for a run's log")]
    public async Task A_run_log_is_written_in_the_negotiated_media_type(string? accept, string expected, string bodyStart)
    {
        using var response = await _host.Client.SendAsync(_host.Request(HttpMethod.Get, LogPath, TestServerHost.UserToken(), accept));
        var body = await response.Content.ReadAsStringAsync();
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo(expected));
            Assert.That(response.Content.Headers.ContentType?.CharSet, expected.StartsWith("text/", StringComparison.Ordinal) ? Is.EqualTo("utf-8") : Is.Null);
            Assert.That(response.Headers.Vary, Does.Contain("Accept"));
            Assert.That(body, Does.StartWith(bodyStart));
        });
    }

    [TestCase("application/json")]
    [TestCase("text/html")]
    [TestCase("application/x-ndjson;q=0, text/plain;q=0")]
    public async Task An_unacceptable_Accept_for_a_run_log_is_a_406_listing_both_media_types(string accept)
    {
        using var response = await _host.Client.SendAsync(_host.Request(HttpMethod.Get, LogPath, TestServerHost.UserToken(), accept));
        var problem = await Problems.AssertProblemAsync(response, 406, DatabackerProblemTypes.NotAcceptable);
        Assert.That(Problems.Strings(problem.GetProperty("available")), Is.EqualTo(new[] { "application/x-ndjson", "text/plain" }));
    }

    [Test]
    public void Every_operation_produces_only_media_types_of_its_success_response_and_streams_all_of_them()
    {
        var declared = SuccessMediaTypes();
        var routes = ApiRouteTable.FromGeneratedControllers().Routes;
        Assert.That(routes.Select(r => r.OperationId), Is.EquivalentTo(declared.Keys));
        foreach (var route in routes)
        {
            var (types, streamed) = declared[route.OperationId];
            Assert.That(route.Produces, streamed ? Is.EquivalentTo(types) : Is.SubsetOf(types), route.ToString());
            Assert.That(route.Produces, types.Length > 0 ? Is.Not.Empty : Is.Empty, route.ToString());
        }
    }

    /// <summary>Operation id → the content keys of its 2xx responses and whether any is a stream (format: binary), read from openapi.yaml.</summary>
    private static Dictionary<string, (string[] Types, bool Streamed)> SuccessMediaTypes()
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(typeof(ApiRouteTable).Assembly.GetManifestResourceStream("Databacker.Api.Server.openapi.yaml")!))
        {
            yaml.Load(reader);
        }

        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        var result = new Dictionary<string, (string[], bool)>(StringComparer.Ordinal);
        foreach (var (_, pathNode) in (YamlMappingNode)root["paths"])
        {
            foreach (var (method, operationNode) in (YamlMappingNode)pathNode)
            {
                if (((YamlScalarNode)method).Value == "parameters")
                {
                    continue;
                }

                var operation = (YamlMappingNode)operationNode;
                var types = new List<string>();
                var streamed = false;
                foreach (var (status, responseNode) in (YamlMappingNode)operation["responses"])
                {
                    var response = (YamlMappingNode)responseNode;
                    if (((YamlScalarNode)status).Value!.StartsWith('2') && response.Children.TryGetValue(new YamlScalarNode("content"), out var content))
                    {
                        types.AddRange(((YamlMappingNode)content).Children.Keys.Select(k => ((YamlScalarNode)k).Value!));
                        streamed |= content.AllNodes.OfType<YamlScalarNode>().Any(n => n.Value == "binary");
                    }
                }

                result[((YamlScalarNode)operation["operationId"]).Value!] = ([.. types.Distinct()], streamed);
            }
        }

        return result;
    }
}

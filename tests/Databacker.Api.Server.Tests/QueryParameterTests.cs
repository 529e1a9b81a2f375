using System.Globalization;
using System.Net;
using Databacker.Api.Server.Errors;
using Databacker.Api.Server.Routing;

namespace Databacker.Api.Server.Tests;

/// <summary>
/// Query strings are checked against the contract: every case is derived from the query parameters openapi.yaml
/// declares (types, ranges, lengths, enumerations), so a new list operation or parameter is covered automatically.
/// </summary>
public sealed class QueryParameterTests
{
    private const string RunId = "5b0c8f1e-2f7d-4a51-9d0e-0a2b4c6d8e10";
    private TestServerHost _host = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _host = await TestServerHost.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    [Test]
    public void The_contract_declares_query_parameters_on_the_list_operations()
    {
        var operations = SpecQueryParameters.Operations.Select(o => o.OperationId).ToArray();
        Assert.That(operations, Does.Contain("Administration_ListInstances").And.Contain("Administration_ListRuns"));
    }

    [Test]
    public void The_route_table_declares_exactly_the_contracts_query_parameters_for_every_operation()
    {
        foreach (var route in ApiRouteTable.FromGeneratedControllers().Routes)
        {
            var declared = SpecQueryParameters.All.Where(p => p.OperationId == route.OperationId).Select(p => p.Name);
            Assert.That(route.QueryParameters, Is.EquivalentTo(declared), route.ToString());
        }
    }

    public static IEnumerable<TestCaseData> ValidValues()
    {
        foreach (var parameter in SpecQueryParameters.All)
        {
            foreach (var value in ValidValuesOf(parameter))
            {
                yield return Case(parameter, Query(parameter.Name, value));
            }
        }

        foreach (var operation in SpecQueryParameters.Operations)
        {
            var all = SpecQueryParameters.All.Where(p => p.OperationId == operation.OperationId)
                .Select(p => Query(p.Name, ValidValuesOf(p).First()));
            yield return new TestCaseData(operation.Method, operation.Path, operation.Tag, string.Join('&', all))
                .SetName($"{operation.Method} {operation.Path} with every declared parameter valid is answered");
        }
    }

    [TestCaseSource(nameof(ValidValues))]
    public async Task Values_the_contract_allows_reach_the_controller(string method, string path, string tag, string query)
    {
        using var response = await SendAsync(method, path, tag, query);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    public static IEnumerable<TestCaseData> InvalidValues()
    {
        foreach (var parameter in SpecQueryParameters.All)
        {
            foreach (var (value, why) in InvalidValuesOf(parameter))
            {
                yield return Case(parameter, Query(parameter.Name, value), why);
            }

            yield return Case(parameter, Query(parameter.Name, string.Empty), "empty");
            var valid = ValidValuesOf(parameter).First();
            yield return Case(parameter, Query(parameter.Name, valid) + "&" + Query(parameter.Name, valid), "repeated");
        }
    }

    [TestCaseSource(nameof(InvalidValues))]
    public async Task Malformed_or_out_of_range_values_are_400_problems_naming_the_parameter(string method, string path, string tag, string query, string parameter)
    {
        using var response = await SendAsync(method, path, tag, query);
        var problem = await Problems.AssertProblemAsync(response, 400, DatabackerProblemTypes.InvalidParameter);
        Assert.That(problem.GetProperty("parameter").GetString(), Is.EqualTo(parameter));
    }

    public static IEnumerable<TestCaseData> UnknownParameters()
    {
        foreach (var operation in SpecQueryParameters.Operations)
        {
            var declared = SpecQueryParameters.All.Where(p => p.OperationId == operation.OperationId).ToArray();
            string[] unknown = ["unknown", declared[0].Name + "s", declared[0].Name.ToUpperInvariant(), "a b"];
            foreach (var name in unknown)
            {
                yield return new TestCaseData(operation.Method, operation.Path, operation.Tag, Query(name, "1"), name)
                    .SetName($"{operation.Method} {operation.Path}?{Query(name, "1")} is a 400 unknown-parameter problem");
            }

            // Next to valid declared parameters, the unknown one is still refused.
            var valid = Query(declared[0].Name, ValidValuesOf(declared[0]).First());
            yield return new TestCaseData(operation.Method, operation.Path, operation.Tag, valid + "&extra=1", "extra")
                .SetName($"{operation.Method} {operation.Path}?{valid}&extra=1 is a 400 unknown-parameter problem");
        }
    }

    [TestCaseSource(nameof(UnknownParameters))]
    public async Task Unknown_query_parameters_of_list_operations_are_400_problems_naming_the_parameter(string method, string path, string tag, string query, string parameter)
    {
        using var response = await SendAsync(method, path, tag, query);
        var problem = await Problems.AssertProblemAsync(response, 400, DatabackerProblemTypes.UnknownParameter);
        Assert.That(problem.GetProperty("parameter").GetString(), Is.EqualTo(parameter));
    }

    [Test]
    public async Task Unknown_query_parameters_are_checked_before_authentication_and_never_reach_the_controller()
    {
        var operation = SpecQueryParameters.Operations.First();
        using var response = await _host.Client.SendAsync(_host.Request(new HttpMethod(operation.Method), Concrete(operation.Path) + "?unknown=1"));
        await Problems.AssertProblemAsync(response, 400, DatabackerProblemTypes.UnknownParameter);
    }

    [Test]
    public async Task Out_of_range_values_still_need_a_valid_token()
    {
        var parameter = SpecQueryParameters.All.First(p => p.Maximum is not null);
        using var response = await _host.Client.SendAsync(_host.Request(new HttpMethod(parameter.Method),
            Concrete(parameter.Path) + "?" + Query(parameter.Name, (parameter.Maximum!.Value + 1).ToString(CultureInfo.InvariantCulture))));
        await Problems.AssertProblemAsync(response, 401, DatabackerProblemTypes.Unauthorized);
    }

    [Test]
    public async Task Operations_without_query_parameters_ignore_the_query_string()
    {
        using var response = await SendAsync("GET", "/engines/config/{instance}", ApiTags.Orchestration, "cache-buster=1&limit=0");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    private static IEnumerable<string> ValidValuesOf(SpecQueryParameter parameter)
    {
        if (parameter.Enum.Count > 0)
        {
            return parameter.Enum;
        }

        return (parameter.Type, parameter.Format) switch
        {
            ("integer", _) => new[] { parameter.Minimum ?? 1, parameter.Maximum ?? 1 }.Distinct().Select(v => v.ToString(CultureInfo.InvariantCulture)),
            ("string", "date-time") => ["2026-01-02T03:04:05Z", "2026-01-02T03:04:05.123+01:00"],
            ("string", _) => new[] { "a", new string('c', parameter.MaxLength ?? 64), "eyJwYWdlIjoyfQ==" }.Where(v => v.Length >= (parameter.MinLength ?? 0)),
            _ => throw new NotSupportedException($"No valid values known for {parameter.Name} of type {parameter.Type}: extend the test."),
        };
    }

    private static IEnumerable<(string Value, string Why)> InvalidValuesOf(SpecQueryParameter parameter)
    {
        if (parameter.Enum.Count > 0)
        {
            yield return ("not-a-" + parameter.Name, "not in the enumeration");
            yield return (parameter.Enum[0].ToUpperInvariant(), "not in the enumeration (case)");
            yield break;
        }

        switch (parameter.Type, parameter.Format)
        {
            case ("integer", _):
                yield return ("abc", "not a number");
                yield return ("1.5", "not an integer");
                yield return ("99999999999999999999", "overflows");
                if (parameter.Minimum is { } min)
                {
                    yield return ((min - 1).ToString(CultureInfo.InvariantCulture), "below the minimum");
                }

                if (parameter.Maximum is { } max)
                {
                    yield return ((max + 1).ToString(CultureInfo.InvariantCulture), "above the maximum");
                }

                break;
            case ("string", "date-time"):
                yield return ("yesterday", "not a date");
                yield return ("2026-13-45T00:00:00Z", "not a valid date");
                break;
            case ("string", _):
                if (parameter.MaxLength is { } maxLength)
                {
                    yield return (new string('c', maxLength + 1), "longer than maxLength");
                }

                if (parameter.MinLength is { } minLength && minLength > 1)
                {
                    yield return (new string('c', minLength - 1), "shorter than minLength");
                }

                break;
        }
    }

    private static TestCaseData Case(SpecQueryParameter parameter, string query, string? why = null)
    {
        var shown = query.Length > 60 ? query[..40] + "…(" + query.Length + " chars)" : query;
        return why is null
            ? new TestCaseData(parameter.Method, parameter.Path, parameter.Tag, query)
                .SetName($"{parameter.Method} {parameter.Path}?{shown} is answered")
            : new TestCaseData(parameter.Method, parameter.Path, parameter.Tag, query, parameter.Name)
                .SetName($"{parameter.Method} {parameter.Path}?{shown} ({why}) is a 400 naming {parameter.Name}");
    }

    private static string Query(string name, string value) => Uri.EscapeDataString(name) + "=" + Uri.EscapeDataString(value);

    private static string Concrete(string path) => path
        .Replace("{instance}", TestServerHost.InstanceA, StringComparison.Ordinal)
        .Replace("{run}", RunId, StringComparison.Ordinal)
        .Replace("{kid}", "key-1", StringComparison.Ordinal);

    private Task<HttpResponseMessage> SendAsync(string method, string path, string tag, string query)
    {
        var token = tag switch
        {
            ApiTags.Administration => TestServerHost.UserToken(),
            ApiTags.Orchestration => _host.AgentToken(TestServerHost.InstanceA, "orchestration"),
            ApiTags.Reporting => _host.AgentToken(TestServerHost.InstanceA, "reporting"),
            _ => null,
        };
        return _host.Client.SendAsync(_host.Request(new HttpMethod(method), Concrete(path) + "?" + query, token));
    }
}

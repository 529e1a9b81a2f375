using System.Reflection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing.Template;

namespace Databacker.Api.Server.Routing;

/// <summary>One operation of the API as the generated controllers declare it: tag, operation id, method, path template and media types.</summary>
public sealed class ApiRoute
{
    private readonly TemplateMatcher _matcher;

    internal ApiRoute(string tag, string operationId, string httpMethod, string template, IReadOnlyList<string> produces, IReadOnlyList<string> consumes, MethodInfo action)
    {
        Tag = tag;
        OperationId = operationId;
        HttpMethod = httpMethod;
        Template = template;
        Produces = produces;
        Consumes = consumes;
        Action = action;
        QueryParameters = action.GetParameters()
            .Select(p => (Parameter: p, Query: p.GetCustomAttribute<FromQueryAttribute>(inherit: true)))
            .Where(p => p.Query is not null)
            .Select(p => p.Query!.Name ?? p.Parameter.Name!)
            .ToArray();
        _matcher = new TemplateMatcher(TemplateParser.Parse(template), []);
    }

    /// <summary>The OpenAPI tag, e.g. <c>Reporting</c>.</summary>
    public string Tag { get; }

    /// <summary>The OpenAPI operation id, e.g. <c>Reporting_PostLogs</c>.</summary>
    public string OperationId { get; }

    /// <summary>The HTTP method in upper case, e.g. <c>POST</c>.</summary>
    public string HttpMethod { get; }

    /// <summary>The route template without a leading slash, e.g. <c>engines/telemetry/{instance}/log</c>.</summary>
    public string Template { get; }

    /// <summary>The response media types the contract declares (from the generated <c>[Produces]</c>); empty for streamed responses.</summary>
    public IReadOnlyList<string> Produces { get; }

    /// <summary>The request media types the contract declares (from the generated <c>[Consumes]</c>); empty when there is no body.</summary>
    public IReadOnlyList<string> Consumes { get; }

    /// <summary>The names of the query parameters the contract declares for this operation (from the generated <c>[FromQuery]</c>).</summary>
    public IReadOnlyList<string> QueryParameters { get; }

    /// <summary>The abstract action of the generated controller.</summary>
    public MethodInfo Action { get; }

    /// <summary>Whether a request path matches this operation's template (the method is not compared).</summary>
    /// <param name="path">The request path, starting with <c>/</c>.</param>
    /// <returns><see langword="true"/> when the path matches.</returns>
    public bool MatchesPath(string path) => _matcher.TryMatch(path, []);

    /// <summary>Builds a concrete path by substituting route parameters.</summary>
    /// <param name="parameterValue">Gives the value of each parameter by name.</param>
    /// <returns>The path, starting with <c>/</c>.</returns>
    public string BuildPath(Func<string, string> parameterValue)
    {
        ArgumentNullException.ThrowIfNull(parameterValue);
        var segments = Template.Split('/').Select(segment =>
            segment.StartsWith('{') && segment.EndsWith('}')
                ? Uri.EscapeDataString(parameterValue(segment[1..^1].TrimEnd('?')))
                : segment);
        return "/" + string.Join('/', segments);
    }

    /// <inheritdoc />
    public override string ToString() => $"{HttpMethod} /{Template} ({OperationId})";
}

// What a NuGet user reads about the generated types: NSwag's templates document each operation, not the types. The
// client classes are documented beside their hooks (Pipeline/GeneratedClientHooks.cs).
namespace Databacker.Api.Client;

/// <summary>
/// The Orchestration operations, used by an instance with its agent token (scope <c>orchestration</c>): its
/// configuration document and the discovery document naming the URLs of every other service. Resolve it from
/// <c>AddDatabackerClient</c> or <c>DatabackerClient.Orchestration</c>; <see cref="Configuration.ConfigurationClient"/>
/// polls the configuration by ETag on top of it.
/// </summary>
public partial interface IOrchestrationClient
{
}

/// <summary>
/// The Reporting operations, used by an instance with its agent token (scope <c>reporting</c>): a run's logs (NDJSON)
/// and its events. <see cref="Reporting.ReportingSender"/> spools and delivers them on top of it.
/// </summary>
public partial interface IReportingClient
{
}

/// <summary>
/// The Administration operations, used with an end user's token (scope <c>admin</c>): instances, their keys and
/// configuration, runs with their events and logs (<see cref="RunLogExtensions"/>), and the summary.
/// </summary>
public partial interface IAdministrationClient
{
}

/// <summary>
/// The Auth operations, anonymous: the token endpoint, the authorization server metadata and the key set. Agents do
/// not call it themselves: the pipeline's token handling does.
/// </summary>
public partial interface IAuthClient
{
}

/// <summary>A streamed response body (a run's log): read <see cref="Stream"/>, then dispose it to close the response.</summary>
public partial class FileResponse
{
}

/// <summary>A file to upload in a multipart body (generated; the API has no such operation today).</summary>
public partial class FileParameter
{
}

/// <summary>A response's status and headers, for operations generated to return them.</summary>
public partial class ApiResponse
{
}

/// <summary>A response's status, headers and body, for operations generated to return them.</summary>
/// <typeparam name="TResult">The body's type.</typeparam>
public partial class ApiResponse<TResult>
{
}

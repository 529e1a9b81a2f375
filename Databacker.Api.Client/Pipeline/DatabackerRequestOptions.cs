namespace Databacker.Api.Client.Pipeline;

/// <summary>
/// Keys a caller (or the generated client) may set on <see cref="HttpRequestMessage.Options"/> to describe a call
/// to the pipeline. Per-handler overrides use the key of each options class, e.g.
/// <see cref="Routing.RoutingOptions.RequestOptionsKey"/>.
/// </summary>
public static class DatabackerRequestOptions
{
    /// <summary>
    /// The operation name used in error messages, such as the operation an endpoint answering <c>410 Gone</c> does not
    /// implement (<see cref="Exceptions.EndpointNotImplementedException.Operation"/>). The generated clients set it to
    /// the OpenAPI <c>operationId</c> (e.g. <c>Reporting_PostEvents</c>); without it, method and path are used.
    /// </summary>
    public static readonly HttpRequestOptionsKey<string> OperationName = new("Databacker.Api.Client.OperationName");

    /// <summary>
    /// Marks the request body as a stream that must not be buffered in memory (e.g. a large log upload), even when
    /// its content type could be. A <see cref="StreamContent"/> body is always treated as such.
    /// </summary>
    public static readonly HttpRequestOptionsKey<bool> StreamBody = new("Databacker.Api.Client.StreamBody");
}

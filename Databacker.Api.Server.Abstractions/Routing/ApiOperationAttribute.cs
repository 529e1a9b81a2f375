namespace Databacker.Api.Server.Routing;

/// <summary>
/// Marks a generated action with its OpenAPI operation id. The runtime reads it to build the route table;
/// implementers never apply it.
/// </summary>
/// <param name="operationId">The OpenAPI operation id, e.g. <c>Orchestration_GetConfig</c>.</param>
[AttributeUsage(AttributeTargets.Method, Inherited = true, AllowMultiple = false)]
public sealed class ApiOperationAttribute(string operationId) : Attribute
{
    /// <summary>The OpenAPI operation id.</summary>
    public string OperationId { get; } = operationId;
}

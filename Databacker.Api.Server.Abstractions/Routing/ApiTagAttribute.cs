namespace Databacker.Api.Server.Routing;

/// <summary>
/// Marks a generated controller with the OpenAPI tag its operations belong to (Orchestration, Reporting,
/// Administration, Auth). The runtime reads it to build the route table; implementers never apply it.
/// </summary>
/// <param name="tag">The OpenAPI tag.</param>
[AttributeUsage(AttributeTargets.Class, Inherited = true, AllowMultiple = false)]
public sealed class ApiTagAttribute(string tag) : Attribute
{
    /// <summary>The OpenAPI tag.</summary>
    public string Tag { get; } = tag;
}

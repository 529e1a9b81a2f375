namespace Databacker.Api.Governance;

/// <summary>One change of the contract that is not backwards compatible where it happened.</summary>
/// <param name="Operation">The operation, e.g. <c>GET /instances/{instance}</c>.</param>
/// <param name="Location">Where in the operation: <c>request</c>, <c>response 200</c>, <c>parameter instance (path)</c>, or empty for the operation itself.</param>
/// <param name="MediaType">The media type whose promise the change breaks, or <see langword="null"/> where none applies (operations, parameters).</param>
/// <param name="JsonPath">The field, as a JSON path into one document of that media type (<c>$.services[*]</c>), or <see langword="null"/>.</param>
/// <param name="Description">What changed, e.g. <c>removed (or renamed)</c>.</param>
internal sealed record BreakingChange(string Operation, string Location, string? MediaType, string? JsonPath, string Description)
{
    /// <inheritdoc />
    public override string ToString()
    {
        var where = MediaType is null ? $"{Operation} {Location}".TrimEnd() : $"{MediaType} ({Operation} {Location})";
        return JsonPath is null ? $"{where}: {Description}" : $"{where}: {JsonPath} {Description}";
    }
}

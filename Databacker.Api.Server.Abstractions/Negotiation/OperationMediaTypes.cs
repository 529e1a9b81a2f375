using Databacker.Api.Contracts.Versioning;
using Databacker.Api.Server.DependencyInjection;
using Databacker.Api.Server.Routing;
using Microsoft.Extensions.Options;

namespace Databacker.Api.Server.Negotiation;

/// <summary>The media types each operation produces and consumes: the contract's plus the added versions.</summary>
internal sealed class OperationMediaTypes
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Func<object, object>> _converters = new(StringComparer.OrdinalIgnoreCase);

    public OperationMediaTypes(ApiRouteTable routeTable, IOptions<DatabackerServerOptions> options)
    {
        var versions = options.Value.Versions.Versions;
        foreach (var version in versions)
        {
            if (version.ToRepresentation is not null)
            {
                _converters[version.MediaType] = version.ToRepresentation;
            }
        }

        foreach (var route in routeTable.Routes)
        {
            _entries[route.OperationId] = new Entry(Extend(route.Produces, versions), Extend(route.Consumes, versions));
        }
    }

    public Entry? Find(string operationId) => _entries.GetValueOrDefault(operationId);

    public Func<object, object>? FindConverter(string mediaType) => _converters.GetValueOrDefault(mediaType);

    private static string[] Extend(IReadOnlyList<string> declared, IReadOnlyList<ResourceVersion> versions)
    {
        var result = new List<string>(declared);
        foreach (var mediaType in declared)
        {
            if (!VendorMediaType.TryParse(mediaType, out var vendor))
            {
                continue;
            }

            foreach (var version in versions)
            {
                if (version.VendorMediaType.Resource == vendor!.Resource && !result.Contains(version.MediaType, StringComparer.OrdinalIgnoreCase))
                {
                    result.Add(version.MediaType);
                }
            }
        }

        return [.. result];
    }

    internal sealed record Entry(IReadOnlyList<string> Produces, IReadOnlyList<string> Consumes)
    {
        /// <summary>The response media type without an <c>Accept</c> header, chosen once.</summary>
        public string? DefaultProduces { get; } = MediaTypeNegotiator.SelectDefault(Produces);
    }
}

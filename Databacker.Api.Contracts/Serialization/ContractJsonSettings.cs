using Newtonsoft.Json;

namespace Databacker.Api.Contracts.Serialization;

/// <summary>
/// The Json.NET settings under which the contract's documents round-trip exactly: what the SDK's clients, its server
/// runtime and its samples read and write with. Members this version of the contract does not know (and free-form
/// values such as event attributes and log fields) keep their values: a date-like string stays that exact string
/// (Json.NET would parse it as a date and write it back in another form). Numbers with a fraction are read as
/// <see cref="double"/>, Json.NET's default (about 17 significant digits). Typed timestamps must carry their offset, as
/// RFC 3339 says (<see cref="Rfc3339DateTimeOffsetConverter"/>). Members named like Json.NET's metadata (<c>$id</c>,
/// <c>$type</c>, <c>$ref</c>, <c>$values</c>) are ordinary members.
/// </summary>
public static class ContractJsonSettings
{
    /// <summary>Applies the contract's reading rules to <paramref name="settings"/>, leaving everything else as it is.</summary>
    /// <param name="settings">The settings to change.</param>
    /// <returns><paramref name="settings"/>.</returns>
    public static JsonSerializerSettings Apply(JsonSerializerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.DateParseHandling = DateParseHandling.None;

        // "$id", "$type", "$ref" and "$values" are members like any other here, never Json.NET's metadata: read as
        // metadata, they were dropped or replaced (a free-form {"$ref":"x"} became null).
        settings.MetadataPropertyHandling = MetadataPropertyHandling.Ignore;
        if (!settings.Converters.Any(c => c is Rfc3339DateTimeOffsetConverter))
        {
            settings.Converters.Add(new Rfc3339DateTimeOffsetConverter());
        }

        return settings;
    }

    /// <summary>New settings with the contract's reading rules and Json.NET's defaults otherwise (never the global
    /// <see cref="JsonConvert.DefaultSettings"/>).</summary>
    /// <returns>The settings.</returns>
    public static JsonSerializerSettings Create() => Apply(new JsonSerializerSettings());
}

using System.Globalization;
using System.Text.RegularExpressions;
using Newtonsoft.Json;

namespace Databacker.Api.Contracts.Serialization;

/// <summary>
/// Reads the contract's <c>date-time</c> members as RFC 3339 demands: a date, a time and an offset (<c>Z</c> or
/// <c>±hh:mm</c>). A timestamp without an offset is an error, not a time in whatever zone the reading machine is in
/// (Json.NET's default), so the same event is the same instant on every controller. Writing is left to Json.NET.
/// </summary>
public sealed partial class Rfc3339DateTimeOffsetConverter : JsonConverter
{
    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <inheritdoc />
    public override bool CanConvert(Type objectType) => objectType == typeof(DateTimeOffset) || objectType == typeof(DateTimeOffset?);

    /// <inheritdoc />
    public override object? ReadJson(JsonReader reader, Type objectType, object? existingValue, JsonSerializer serializer)
    {
        switch (reader.TokenType)
        {
            case JsonToken.Null when objectType == typeof(DateTimeOffset?):
                return null;
            case JsonToken.Date when reader.Value is DateTimeOffset parsed:
                return parsed; // Already read by a reader that parses dates (its settings, not this contract's).
            case JsonToken.Date when reader.Value is DateTime { Kind: not DateTimeKind.Unspecified } instant
                && reader.DateTimeZoneHandling == DateTimeZoneHandling.RoundtripKind:
                return new DateTimeOffset(instant); // Such a reader's DateTime kept its kind: it came with an offset (or Z).
            case JsonToken.String when reader.Value is string text && TryParse(text, out var value):
                return value;
            default:
                throw new JsonSerializationException(
                    $"'{reader.Path}' must be an RFC 3339 date-time with an offset, e.g. 2025-01-01T00:00:00Z.");
        }
    }

    /// <inheritdoc />
    public override void WriteJson(JsonWriter writer, object? value, JsonSerializer serializer) => throw new NotSupportedException();

    /// <summary>Parses an RFC 3339 <c>date-time</c>: offset required, any number of fractional digits (beyond seven cut off).</summary>
    /// <param name="text">The text.</param>
    /// <param name="value">The instant and its offset.</param>
    /// <returns>Whether <paramref name="text"/> is one.</returns>
    public static bool TryParse(string? text, out DateTimeOffset value)
    {
        value = default;
        if (text is null || Pattern().Match(text) is not { Success: true } match)
        {
            return false;
        }

        var fraction = match.Groups["fraction"].Value;
        var normalized = string.Concat(
            match.Groups["datetime"].Value.Replace('t', 'T'),
            fraction.Length > 8 ? fraction[..8] : fraction,
            match.Groups["offset"].Value is "z" or "Z" ? "+00:00" : match.Groups["offset"].Value);
        return DateTimeOffset.TryParse(normalized, CultureInfo.InvariantCulture, DateTimeStyles.None, out value);
    }

    [GeneratedRegex(@"^(?<datetime>\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2})(?<fraction>\.\d+)?(?<offset>[Zz]|[+-]\d{2}:\d{2})\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}

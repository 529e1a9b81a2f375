using Newtonsoft.Json;

namespace Databacker.Api.Contracts.Serialization;

/// <summary>
/// Reads and writes <see cref="IExtensibleEnum"/> values as plain JSON strings, keeping values this version
/// of the contract does not know.
/// </summary>
public sealed class ExtensibleEnumConverter : JsonConverter
{
    /// <inheritdoc />
    public override bool CanConvert(Type objectType)
        => typeof(IExtensibleEnum).IsAssignableFrom(Nullable.GetUnderlyingType(objectType) ?? objectType);

    /// <inheritdoc />
    public override object? ReadJson(JsonReader reader, Type objectType, object? existingValue, JsonSerializer serializer)
    {
        var underlying = Nullable.GetUnderlyingType(objectType);
        if (reader.TokenType == JsonToken.Null)
        {
            if (underlying is not null || !objectType.IsValueType)
            {
                return null;
            }

            throw new JsonSerializationException($"Null is not a valid {objectType.Name} at '{reader.Path}'.");
        }

        if (reader.TokenType != JsonToken.String)
        {
            throw new JsonSerializationException($"Expected a string for {objectType.Name} at '{reader.Path}', got {reader.TokenType}.");
        }

        return ExtensibleEnumFactory.Create(underlying ?? objectType, (string)reader.Value!);
    }

    /// <inheritdoc />
    public override void WriteJson(JsonWriter writer, object? value, JsonSerializer serializer)
    {
        if (value is IExtensibleEnum extensible)
        {
            writer.WriteValue(extensible.Value);
        }
        else
        {
            writer.WriteNull();
        }
    }
}

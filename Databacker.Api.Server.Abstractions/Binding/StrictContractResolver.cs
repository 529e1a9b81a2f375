using System.Reflection;
using Newtonsoft.Json;
using Newtonsoft.Json.Serialization;

namespace Databacker.Api.Server.Binding;

/// <summary>
/// Reads the contract's members as <c>openapi.yaml</c> declares them, where Json.NET would be lenient:
/// <list type="bullet">
/// <item>no member of the contract is nullable, so an explicit <c>null</c> (<c>PATCH {"name":null}</c>) is a 400 naming
/// the member, not read as "left out";</item>
/// <item>a value of the wrong JSON type is refused instead of converted: <c>"seq":1.5</c> is not rounded to 2 (which
/// made another line a duplicate), <c>"exitCode":"7"</c> is not parsed, <c>"message":123</c> is not turned into text.</item>
/// </list>
/// The shared contract types stay lenient (a client must still read a server that writes such values); only the
/// server's binding is strict. Free-form members (<see cref="object"/>-typed, extension data, map values) keep any
/// JSON value, as their schema (<c>{}</c>) allows. Writing is unchanged: optional members are left out when null.
/// </summary>
internal sealed class StrictContractResolver : DefaultContractResolver
{
    private static readonly Assembly ContractAssembly = typeof(Contracts.Instance).Assembly;

    protected override JsonProperty CreateProperty(MemberInfo member, MemberSerialization memberSerialization)
    {
        var property = base.CreateProperty(member, memberSerialization);
        if (!IsGeneratedContract(member.DeclaringType))
        {
            return property;
        }

        if (property.Required == Required.Default && property.PropertyType != typeof(object))
        {
            property.Required = Required.DisallowNull;
        }

        if (property.Converter is null && StrictValueConverter.For(property.PropertyType) is { } converter)
        {
            property.Converter = converter;
        }

        if (property.ItemConverter is null && ItemType(property.PropertyType) is { } item && StrictValueConverter.For(item) is { } itemConverter)
        {
            property.ItemConverter = itemConverter;
        }

        return property;
    }

    // The types generated from openapi.yaml, not the assembly's hand-written ones (VendorMediaType, …), which keep
    // Json.NET's rules: only the generated ones follow the contract's schemas, and write null members as absent.
    private static bool IsGeneratedContract(Type? type) =>
        type?.Assembly == ContractAssembly
        && type.GetCustomAttribute<System.CodeDom.Compiler.GeneratedCodeAttribute>() is { Tool: "NJsonSchema" };

    private static Type? ItemType(Type? type) =>
        type is { IsGenericType: true } && type.GetGenericArguments() is [var item]
        && typeof(System.Collections.IEnumerable).IsAssignableFrom(type) ? item : null;

    /// <summary>Reads a scalar only from the JSON type its schema names; the value itself is read as Json.NET would.</summary>
    private sealed class StrictValueConverter(Type type, JsonToken[] accepted, string expected) : JsonConverter
    {
        private static readonly StrictValueConverter Text = new(typeof(string), [JsonToken.String], "a string");
        private static readonly StrictValueConverter Boolean = new(typeof(bool), [JsonToken.Boolean], "true or false");

        public static JsonConverter? For(Type? declared)
        {
            var type = declared is null ? null : Nullable.GetUnderlyingType(declared) ?? declared;
            return type switch
            {
                _ when type == typeof(string) => Text,
                _ when type == typeof(bool) => Boolean,
                _ when type == typeof(long) || type == typeof(int) || type == typeof(short) => new StrictValueConverter(type, [JsonToken.Integer], "an integer"),
                _ when type == typeof(double) || type == typeof(float) || type == typeof(decimal) => new StrictValueConverter(type, [JsonToken.Integer, JsonToken.Float], "a number"),
                _ => null,
            };
        }

        public override bool CanWrite => false;

        public override bool CanConvert(Type objectType) => (Nullable.GetUnderlyingType(objectType) ?? objectType) == type;

        public override object? ReadJson(JsonReader reader, Type objectType, object? existingValue, JsonSerializer serializer)
        {
            if (reader.TokenType == JsonToken.Null)
            {
                return null; // a required or non-nullable member refuses it with its own message
            }

            // JSON Schema counts 2.0 as an integer; 2.5 is not one.
            var whole = reader.TokenType == JsonToken.Float && reader.Value is double d && Math.Floor(d) == d && accepted[0] == JsonToken.Integer;
            if (Array.IndexOf(accepted, reader.TokenType) < 0 && !whole)
            {
                throw new JsonSerializationException($"'{reader.Path}' must be {expected}, not {Describe(reader.TokenType)}.");
            }

            try
            {
                return type == typeof(string) ? reader.Value : Convert.ChangeType(reader.Value, type, System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (Exception error) when (error is OverflowException or InvalidCastException)
            {
                throw new JsonSerializationException($"'{reader.Path}' is out of range.", error);
            }
        }

        public override void WriteJson(JsonWriter writer, object? value, JsonSerializer serializer) => throw new NotSupportedException();

        private static string Describe(JsonToken token) => token switch
        {
            JsonToken.String => "a string",
            JsonToken.Integer => "an integer",
            JsonToken.Float => "a number with a fraction",
            JsonToken.Boolean => "a boolean",
            JsonToken.StartObject => "an object",
            JsonToken.StartArray => "an array",
            _ => token.ToString(),
        };
    }
}

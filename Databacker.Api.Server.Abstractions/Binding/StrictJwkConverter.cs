using System.Text.Json;
using Databacker.Api.Auth.Keys;
using Databacker.Api.Contracts;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Databacker.Api.Server.Binding;

/// <summary>
/// Binds the contract's <see cref="Jwk"/> (declared <c>additionalProperties: false</c>) strictly: a member a public
/// EC key must not have, above all a private part <c>d</c>, fails the binding (400) instead of being silently
/// dropped. The members are judged by <see cref="EcPublicJwkValidator"/>; the key itself is validated by the action.
/// </summary>
internal sealed class StrictJwkConverter : Newtonsoft.Json.JsonConverter
{
    public override bool CanWrite => false;

    public override bool CanConvert(Type objectType) => objectType == typeof(Jwk);

    public override object? ReadJson(JsonReader reader, Type objectType, object? existingValue, Newtonsoft.Json.JsonSerializer serializer)
    {
        if (reader.TokenType == JsonToken.Null)
        {
            return null;
        }

        var json = JObject.Load(reader);
        try
        {
            using var document = JsonDocument.Parse(json.ToString(Formatting.None));
            EcPublicJwkValidator.Validate(document.RootElement);
        }
        catch (InvalidPublicKeyException error) when (error.Reason is InvalidPublicKeyReason.PrivateKeyPresent or InvalidPublicKeyReason.UnexpectedMember)
        {
            throw new JsonSerializationException(error.Message);
        }
        catch (InvalidPublicKeyException)
        {
            // Anything else (curve, point, kid …) is reported by the action with the reason.
        }
        catch (System.Text.Json.JsonException)
        {
            // Newtonsoft reads JavaScript-isms (undefined, new Date(1)) that are not JSON: the body is invalid, not the server.
            throw new JsonSerializationException("The key is not a valid JSON object.");
        }

        var jwk = new Jwk();
        serializer.Populate(json.CreateReader(), jwk);
        return jwk;
    }

    public override void WriteJson(JsonWriter writer, object? value, Newtonsoft.Json.JsonSerializer serializer) =>
        throw new NotSupportedException();
}

using System.Globalization;
using Newtonsoft.Json;

namespace Databacker.Samples.Controller.Storage;

/// <summary>How documents are stored: the contract's own Newtonsoft.Json shape, with dates left as written.</summary>
internal static class StoredJson
{
    // The contract's rules: a date-looking string among unknown members is kept as the exact text the client sent, so a stored document comes back with the same member values (and the same ETag).
    private static readonly JsonSerializerSettings Settings = Databacker.Api.Contracts.Serialization.ContractJsonSettings.Apply(new JsonSerializerSettings
    {
        NullValueHandling = NullValueHandling.Ignore,
    });

    public static string Serialize(object value) => JsonConvert.SerializeObject(value, Formatting.None, Settings);

    public static T Deserialize<T>(string json) =>
        JsonConvert.DeserializeObject<T>(json, Settings) ?? throw new InvalidDataException($"A stored {typeof(T).Name} is null.");

    public static string Timestamp(DateTimeOffset value) => value.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    public static DateTimeOffset ParseTimestamp(string value) => DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
}

using System.Reflection;
using Newtonsoft.Json;
using Refit;

namespace Databacker.Api.Benchmarks.ClientCalls;

/// <summary>
/// Refit's <see cref="IHttpContentSerializer"/> over Newtonsoft.Json, so that Refit reads the contract's generated DTOs
/// (polymorphic <c>ConfigDocument</c>, extensible enumerations) with the same serializer as the other clients and the
/// comparison measures the HTTP plumbing, not System.Text.Json against Newtonsoft. (Refit's own Newtonsoft adapter is a
/// separate package that the package source does not carry.) Streams the response, as Refit's default serializer does.
/// </summary>
internal sealed class NewtonsoftRefitSerializer : IHttpContentSerializer
{
    private readonly JsonSerializer _serializer = JsonSerializer.CreateDefault();

    public HttpContent ToHttpContent<T>(T item) =>
        new StringContent(JsonConvert.SerializeObject(item), System.Text.Encoding.UTF8, "application/json");

    public async Task<T?> FromHttpContentAsync<T>(HttpContent content, CancellationToken cancellationToken = default)
    {
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var reader = new JsonTextReader(new StreamReader(stream));
            return _serializer.Deserialize<T>(reader);
        }
    }

    public string? GetFieldNameForProperty(PropertyInfo propertyInfo) =>
        propertyInfo.GetCustomAttribute<JsonPropertyAttribute>(true)?.PropertyName;
}

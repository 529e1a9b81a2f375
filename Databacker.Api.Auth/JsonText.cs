using System.Text.Json;

namespace Databacker.Api.Auth;

/// <summary>JSON checks shared by the parsers of hostile input (assertions, JWKs).</summary>
internal static class JsonText
{
    /// <summary>
    /// Whether every member name and string value in <paramref name="element"/> can be read as text. JSON allows the
    /// escape of a lone surrogate (<c>"\ud800"</c>), which <see cref="System.Text.Json"/> parses but then refuses to
    /// turn into a string (<see cref="InvalidOperationException"/>): such input is malformed, not a crash.
    /// </summary>
    public static bool IsReadable(JsonElement element)
    {
        try
        {
            Read(element);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static void Read(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    _ = property.Name;
                    Read(property.Value);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Read(item);
                }

                break;
            case JsonValueKind.String:
                _ = element.GetString();
                break;
        }
    }
}

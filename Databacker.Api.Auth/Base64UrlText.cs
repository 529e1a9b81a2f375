using System.Buffers.Text;

namespace Databacker.Api.Auth;

/// <summary>Strict base64url (RFC 4648 section 5, no padding, no whitespace) as JOSE requires.</summary>
internal static class Base64UrlText
{
    public static bool IsStrict(ReadOnlySpan<char> value)
    {
        if (value.Length % 4 == 1)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!(c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }

    public static bool TryDecode(ReadOnlySpan<char> value, out byte[] bytes)
    {
        bytes = [];
        if (!IsStrict(value))
        {
            return false;
        }

        try
        {
            bytes = Base64Url.DecodeFromChars(value);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    public static string Encode(ReadOnlySpan<byte> bytes) => Base64Url.EncodeToString(bytes);
}

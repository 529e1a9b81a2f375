using System.Buffers;
using System.Globalization;
using System.Text.RegularExpressions;
using Databacker.Api.Contracts;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Databacker.Api.Client.Reporting;

/// <summary>
/// Removes secrets from everything an agent reports, before it is queued, spooled or sent: the secret values of
/// the configuration (database password, target keys and passwords, encryption key, telemetry credentials),
/// values added by the user, credentials in URLs (user info) and secret-looking query parameters.
/// </summary>
public sealed partial class SecretRedactor
{
    /// <summary>What a secret is replaced with.</summary>
    public const string Mask = "[REDACTED]";

    /// <summary>What a field nested deeper than the redactor follows (e.g. a map that contains itself) is replaced with.</summary>
    public const string TooDeep = "[TOO DEEP]";

    private const int MaxFieldDepth = 32;
    private const int MaxFieldValues = 10_000;

    private static readonly string[] SecretQueryNames =
        ["password", "passwd", "pwd", "secret", "token", "access_token", "key", "apikey", "api_key", "signature", "sig", "credential", "credentials", "x-amz-signature", "x-amz-credential", "x-amz-security-token"];

    private readonly string[] _secrets;

    // The secrets, found in one vectorized pass: a text without any of them (nearly every log line) skips the
    // per-secret replacement. The URL markers ("://", '?') are looked for separately, each with its own vectorized
    // search: mixed into this set, the one-character '?' turned the search into a per-character automaton that
    // stopped at every letter a secret starts with (about 150 ns for a typical line instead of about 40).
    private readonly SearchValues<string> _secretValues;

    /// <summary>Creates a redactor for the given secret values (empty values are ignored).</summary>
    /// <param name="secrets">The secret values.</param>
    public SecretRedactor(IEnumerable<string?> secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);

        // Longest first, so a secret that contains another is masked whole.
        _secrets = secrets.Where(s => !string.IsNullOrEmpty(s)).Select(s => s!).Distinct(StringComparer.Ordinal)
            .OrderByDescending(s => s.Length).ToArray();
        _secretValues = SearchValues.Create(_secrets, StringComparison.Ordinal);
    }

    /// <summary>A redactor that masks no configured value (URL credentials are still masked).</summary>
    public static SecretRedactor UrlsOnly { get; } = new([]);

    /// <summary>The number of distinct secret values this redactor masks.</summary>
    public int SecretCount => _secrets.Length;

    /// <summary>
    /// Collects every secret of a configuration document: the database password, each target's secret access key
    /// and password, the dump encryption key, the telemetry credentials, and any user-added values.
    /// </summary>
    /// <param name="configuration">The configuration the agent runs with.</param>
    /// <param name="additionalSecrets">Further values to mask.</param>
    /// <returns>The redactor.</returns>
    public static SecretRedactor FromConfiguration(ConfigDocument? configuration, IEnumerable<string?>? additionalSecrets = null)
    {
        var secrets = new List<string?>(additionalSecrets ?? []);
        switch (configuration)
        {
            case LocalConfig { Spec: { } spec }:
                secrets.Add(spec.Database?.Credentials?.Password);
                secrets.Add(spec.Dump?.Encryption?.Key);
                secrets.Add(spec.Telemetry?.Credentials);
                foreach (var target in spec.Targets?.Values ?? [])
                {
                    secrets.Add(target?.Spec?.SecretAccessKey);
                    secrets.Add(target?.Spec?.Password);
                    secrets.AddRange(UrlSecrets(target?.Url));
                }

                break;
            case RemoteConfig { Spec: { } remote }:
                secrets.Add(remote.Credentials);
                break;
        }

        return new SecretRedactor(secrets);
    }

    /// <summary>Masks every secret and every URL credential in a text.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The text without secrets.</returns>
    public string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? string.Empty;
        }

        var span = text.AsSpan();
        var hasSecret = _secrets.Length > 0 && span.IndexOfAny(_secretValues) >= 0;
        if (!hasSecret && !span.Contains('?') && !span.Contains("://", StringComparison.Ordinal))
        {
            return text;
        }

        if (hasSecret)
        {
            foreach (var secret in _secrets)
            {
                if (text.Contains(secret, StringComparison.Ordinal))
                {
                    text = text.Replace(secret, Mask, StringComparison.Ordinal);
                }
            }
        }

        return text.Contains("://", StringComparison.Ordinal) || text.Contains('?') ? RedactUrls(text) : text;
    }

    /// <summary>Masks secrets in every string of a free-form map (values, nested objects and arrays, and keys).</summary>
    /// <param name="fields">The map; <see langword="null"/> stays <see langword="null"/>.</param>
    /// <returns>A new map without secrets.</returns>
    public IDictionary<string, object>? Redact(IDictionary<string, object>? fields) => Redact(fields, new Budget());

    /// <summary>Masks the user info and secret query parameters of a URL.</summary>
    /// <param name="url">The URL.</param>
    /// <returns>The URL without credentials.</returns>
    public static string RedactUrl(string url) => RedactUrls(url);

    private IDictionary<string, object>? Redact(IDictionary<string, object>? fields, Budget budget)
    {
        if (fields is null)
        {
            return null;
        }

        budget.Depth++;
        var result = new Dictionary<string, object>(fields.Count, StringComparer.Ordinal);
        foreach (var (key, value) in fields)
        {
            result[Redact(key)] = RedactField(key, value, budget)!;
        }

        budget.Depth--;
        return result;
    }

    // A map's value: a text under a secret-looking name is masked whole, anything else redacted as a value.
    private object? RedactField(string key, object? value, Budget budget) =>
        value is string && SecretQueryNames.Contains(key, StringComparer.OrdinalIgnoreCase) ? Mask : RedactValue(value, budget);

    // Fields are free-form: a map that contains itself, or shares maps so that it expands beyond reason, is cut off
    // (replaced by TooDeep) instead of followed forever.
    private object? RedactValue(object? value, Budget budget)
    {
        if (++budget.Values > MaxFieldValues || (budget.Depth > MaxFieldDepth && value is not (null or string or JValue)))
        {
            return TooDeep;
        }

        switch (value)
        {
            case null:
                return null;
            case string s:
                return Redact(s);
            case JValue { Type: JTokenType.String } j:
                return Redact((string?)j.Value);
            case JToken token:
                return RedactToken(token.DeepClone());
            case IDictionary<string, object> map:
                return Redact(map, budget);
            case System.Collections.IDictionary other:
                // Any other map (Dictionary<string, string>, Hashtable…): its entries, not a list of key/value pairs.
                budget.Depth++;
                var entries = new Dictionary<string, object?>(other.Count, StringComparer.Ordinal);
                foreach (System.Collections.DictionaryEntry entry in other)
                {
                    var key = Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty;
                    entries[Redact(key)] = RedactField(key, entry.Value, budget);
                }

                budget.Depth--;
                return entries;
            case Uri uri:
                return Redact(uri.OriginalString);
            case System.Collections.IEnumerable list:
                budget.Depth++;
                var items = new List<object?>();
                foreach (var item in list)
                {
                    items.Add(RedactValue(item, budget));
                }

                budget.Depth--;
                return items;
            default:
                // Numbers, dates, ids and the like carry no text; anything else (a key/value pair, an exception, an
                // object of the caller's) is written as JSON by the serializer, so it is redacted as that JSON.
                return IsPlainValue(value) ? value : RedactObject(value);
        }
    }

    private object RedactObject(object value)
    {
        try
        {
            return RedactToken(JToken.FromObject(value));
        }
        catch (JsonException)
        {
            // Not serializable as JSON here (e.g. a reference loop): the serializer would fail on it later as well, so
            // nothing of it is kept rather than anything unredacted.
            return Mask;
        }
    }

    private static bool IsPlainValue(object value) =>
        value is bool or char or Enum or DateTime or DateTimeOffset or TimeSpan or Guid or decimal or DateOnly or TimeOnly
        || value.GetType().IsPrimitive;

    private sealed class Budget
    {
        public int Depth;
        public int Values;
    }

    private JToken RedactToken(JToken token)
    {
        var all = token is JContainer container ? container.DescendantsAndSelf() : [token];
        foreach (var leaf in all.OfType<JValue>().Where(v => v.Type is JTokenType.String or JTokenType.Uri).ToList())
        {
            var masked = leaf.Parent is JProperty property && SecretQueryNames.Contains(property.Name, StringComparer.OrdinalIgnoreCase)
                ? Mask
                : Redact(leaf.Value is Uri uri ? uri.OriginalString : (string?)leaf.Value);
            leaf.Value = masked;
        }

        return token;
    }

    private static IEnumerable<string?> UrlSecrets(string? url)
    {
        if (url is null || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.UserInfo))
        {
            yield break;
        }

        var separator = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
        if (separator >= 0)
        {
            yield return Uri.UnescapeDataString(uri.UserInfo[(separator + 1)..]);
        }
    }

    private static string RedactUrls(string text)
    {
        // Each pattern needs a character most URLs in a log line lack (user info an '@', a query parameter '?' or
        // '&'): a plain "s3://bucket/key" costs a scan, not a regex run.
        if (text.Contains('@'))
        {
            text = UserInfoPattern().Replace(text, m => m.Groups["scheme"].Value + Mask + "@");
        }

        if (text.AsSpan().IndexOfAny('?', '&') < 0)
        {
            return text;
        }

        return QueryPattern().Replace(text, m =>
            SecretQueryNames.Contains(m.Groups["name"].Value, StringComparer.OrdinalIgnoreCase)
                ? m.Groups["lead"].Value + m.Groups["name"].Value + "=" + Mask
                : m.Value);
    }

    [GeneratedRegex(@"(?<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)[^/\s@?#]+@", RegexOptions.CultureInvariant)]
    private static partial Regex UserInfoPattern();

    [GeneratedRegex(@"(?<lead>[?&])(?<name>[A-Za-z0-9_.\-]+)=[^&#\s]*", RegexOptions.CultureInvariant)]
    private static partial Regex QueryPattern();
}

using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Databacker.Api.Contracts;
using Newtonsoft.Json;

namespace Databacker.Api.Client.Reporting;

/// <summary>
/// Turns one log entry into one redacted NDJSON line, written straight as UTF-8 into a buffer reused for every
/// line: no intermediate entry, string or per-line array. Not thread-safe; one per upload.
/// </summary>
internal sealed class LogLineEncoder
{
    private const string Truncated = " [truncated]";

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // The body is NDJSON for an API, never embedded in HTML: only what JSON requires is escaped.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    // Free-form fields hold any CLR or Json.NET value; they are rare and small, so Json.NET writes them.
    private static readonly JsonSerializerSettings FieldSettings = new()
    {
        NullValueHandling = NullValueHandling.Ignore,
        DateFormatHandling = DateFormatHandling.IsoDateFormat,
        Formatting = Formatting.None,
    };

    private readonly SecretRedactor _redactor;
    private readonly int _maxMessageLength;
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly Utf8JsonWriter _json;

    public LogLineEncoder(SecretRedactor redactor, int maxMessageLength)
    {
        _redactor = redactor;
        _maxMessageLength = maxMessageLength;
        _json = new Utf8JsonWriter(_buffer, WriterOptions);
    }

    /// <summary>Encodes <paramref name="entry"/>, redacted, with its trailing newline; valid until the next call.</summary>
    public ReadOnlyMemory<byte> Encode(LogEntry entry)
    {
        // Redact returns the very same string when it holds no secret, so the common case copies nothing.
        var message = _redactor.Redact(entry.Message);
        if (message.Length > _maxMessageLength)
        {
            // The marker counts towards the limit (the contract's maxLength), and a surrogate pair is not cut in two.
            var keep = _maxMessageLength - Truncated.Length;
            if (char.IsHighSurrogate(message[keep - 1]))
            {
                keep--;
            }

            message = string.Concat(message.AsSpan(0, keep), Truncated);
        }

        _buffer.ResetWrittenCount();
        _json.Reset(_buffer);
        _json.WriteStartObject();
        _json.WriteString("run"u8, entry.Run);
        _json.WriteNumber("seq"u8, entry.Seq);
        _json.WriteString("timestamp"u8, entry.Timestamp);
        if (entry.Level is not null)
        {
            _json.WriteString("level"u8, entry.Level);
        }

        _json.WriteString("stream"u8, entry.Stream.Value);
        _json.WriteString("message"u8, message);
        if (_redactor.Redact(entry.Fields) is { } fields)
        {
            _json.WritePropertyName("fields"u8);
            _json.WriteRawValue(JsonConvert.SerializeObject(fields, FieldSettings), skipInputValidation: true);
        }

        _json.WriteEndObject();
        _json.Flush();
        _buffer.GetSpan(1)[0] = (byte)'\n';
        _buffer.Advance(1);
        return _buffer.WrittenMemory;
    }
}

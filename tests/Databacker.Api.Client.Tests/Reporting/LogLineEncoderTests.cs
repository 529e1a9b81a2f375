using System.Text;
using System.Threading.Channels;
using Databacker.Api.Client.Reporting;
using Databacker.Api.Contracts;
using Newtonsoft.Json;

namespace Databacker.Api.Client.Tests.Reporting;

/// <summary>The contract's limits of a log line, as the client writes it.</summary>
public class LogLineEncoderTests
{
    private static LogEntry Decode(ReadOnlyMemory<byte> line) => JsonConvert.DeserializeObject<LogEntry>(Encoding.UTF8.GetString(line.Span))!;

    private static LogEntry Entry(string message) =>
        new() { Run = Guid.NewGuid(), Seq = 0, Timestamp = DateTimeOffset.UnixEpoch, Stream = LogStream.Stdout, Message = message };

    [Test]
    public void A_cut_message_with_its_marker_stays_within_the_limit()
    {
        var encoder = new LogLineEncoder(SecretRedactor.UrlsOnly, new LogUploaderOptions().MaxMessageLength);

        var message = Decode(encoder.Encode(Entry(new string('m', 100_000)))).Message;

        Assert.Multiple(() =>
        {
            Assert.That(message, Has.Length.EqualTo(65_536), "the contract's maxLength");
            Assert.That(message, Does.EndWith(" [truncated]"));
        });
    }

    [Test]
    public void A_message_is_not_cut_inside_a_surrogate_pair()
    {
        var encoder = new LogLineEncoder(SecretRedactor.UrlsOnly, 256);
        var keep = 256 - " [truncated]".Length;
        var text = new string('a', keep - 1) + "\U0001F600" + new string('b', 300);

        var message = Decode(encoder.Encode(Entry(text))).Message;

        Assert.Multiple(() =>
        {
            Assert.That(message, Is.EqualTo(new string('a', keep - 1) + " [truncated]"));
            Assert.That(message.Any(char.IsSurrogate), Is.False);
        });
    }

    [Test]
    public void A_level_longer_than_the_contract_allows_is_refused_when_written()
    {
        var log = new RunLog(Guid.NewGuid(), Channel.CreateUnbounded<LogEntry>().Writer);

        var ex = Assert.Throws<ArgumentException>(() => log.WriteAsync(LogStream.Stdout, "m", level: "informational-detail"));

        Assert.That(ex!.ParamName, Is.EqualTo("level"));
    }

    [Test]
    public async Task A_level_of_sixteen_astral_characters_is_within_the_contract_as_json_schema_counts()
    {
        var channel = Channel.CreateUnbounded<LogEntry>();
        var log = new RunLog(Guid.NewGuid(), channel.Writer);
        var level = string.Concat(Enumerable.Repeat("\U0001F525", 16)); // 16 characters, 32 UTF-16 units

        await log.WriteAsync(LogStream.Stdout, "m", level: level);

        Assert.That(channel.Reader.TryRead(out var entry) ? entry.Level : null, Is.EqualTo(level));
    }

    [Test]
    public void A_message_length_above_the_contracts_limit_is_refused_in_the_options()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LogUploaderOptions { MaxMessageLength = 65_537 }.Validate());
    }
}

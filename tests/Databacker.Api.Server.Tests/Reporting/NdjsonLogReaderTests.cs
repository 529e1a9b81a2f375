using System.Text;
using Databacker.Api.Server.Errors;
using Databacker.Api.Server.Reporting;

namespace Databacker.Api.Server.Tests.Reporting;

public class NdjsonLogReaderTests
{
    private static readonly Guid Run = Guid.Parse("0b3c1b8e-3c55-4c55-9a58-8f0d2e0e7c11");

    private static string Line(long seq, string message = "hello") =>
        $$"""{"run":"{{Run}}","seq":{{seq}},"timestamp":"2026-11-26T20:00:00Z","level":"info","stream":"stdout","message":"{{message}}"}""";

    private static Task<LogBodyReadResult> Read(string body, NdjsonLogReaderOptions? options = null)
        => new NdjsonLogReader(options).ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(body)));

    [Test]
    public async Task Valid_body_yields_every_line_in_order()
    {
        var result = await Read(string.Join("\n", Enumerable.Range(0, 1000).Select(i => Line(i))) + "\n");

        Assert.That(result.Succeeded, Is.True, result.Error?.Reason);
        Assert.That(result.Entries.Select(e => e.Seq), Is.EqualTo(Enumerable.Range(0, 1000).Select(i => (long)i)));
        Assert.That(result.Entries[0].Run, Is.EqualTo(Run));
    }

    [Test]
    public async Task Last_line_without_newline_and_crlf_line_endings_are_accepted()
    {
        var result = await Read(Line(0) + "\r\n" + Line(1));

        Assert.That(result.Entries, Has.Count.EqualTo(2));
    }

    [TestCase("{not json", 2)]
    [TestCase("""{"run":"0b3c1b8e-3c55-4c55-9a58-8f0d2e0e7c11","seq":1,"timestamp":"2026-11-26T20:00:00Z","stream":"stdout"}""", 2)]
    [TestCase("""{"run":"0b3c1b8e-3c55-4c55-9a58-8f0d2e0e7c11","seq":-1,"timestamp":"2026-11-26T20:00:00Z","stream":"stdout","message":"m"}""", 2)]
    [TestCase("""{"run":"0b3c1b8e-3c55-4c55-9a58-8f0d2e0e7c11","seq":1,"timestamp":"2026-11-26T20:00:00Z","stream":"stdin","message":"m"}""", 2)]
    [TestCase("""{"run":"nope","seq":1,"timestamp":"2026-11-26T20:00:00Z","stream":"stdout","message":"m"}""", 2)]
    [TestCase("[1,2,3]", 2)]
    [TestCase("""{"run":"0b3c1b8e-3c55-4c55-9a58-8f0d2e0e7c11","seq":1,"timestamp":"2026-11-26T20:00:00Z","stream":"stdout","message":"m"} /* c */ {"run":"0b3c1b8e-3c55-4c55-9a58-8f0d2e0e7c11","seq":9,"timestamp":"2026-11-26T20:00:00Z","stream":"stdout","message":"hidden"}""", 2)]
    public async Task First_bad_line_is_reported_with_its_number_and_nothing_is_returned(string bad, long expectedLine)
    {
        var result = await Read(Line(0) + "\n" + bad + "\n" + Line(2) + "\n");

        Assert.That(result.Succeeded, Is.False);
        Assert.That(result.Error!.Line, Is.EqualTo(expectedLine));
        Assert.That(result.Error.TooLarge, Is.False);
        Assert.That(result.Entries, Is.Empty);
    }

    [Test]
    public async Task Lines_beyond_the_contracts_level_and_message_limits_are_bad_lines()
    {
        var longLevel = await Read(Line(0) + "\n" + Line(1).Replace("\"level\":\"info\"", "\"level\":\"" + new string('x', 17) + "\"") + "\n");
        var longMessage = await Read(Line(0) + "\n" + Line(1, new string('m', 65_537)) + "\n");
        var longestMessage = await Read(Line(0, new string('m', 65_536)) + "\n");
        var astral = await Read(Line(0, string.Concat(Enumerable.Repeat("\U0001F600", 40_000))) + "\n", new NdjsonLogReaderOptions { MaxLineBytes = 512 * 1024 });

        Assert.Multiple(() =>
        {
            Assert.That(longLevel.Error?.Reason, Does.Contain("'level'"));
            Assert.That(longLevel.Error?.Line, Is.EqualTo(2));
            Assert.That(longMessage.Error?.Reason, Does.Contain("'message'"));
            Assert.That(longMessage.Error?.TooLarge, Is.False);
            Assert.That(longestMessage.Succeeded, Is.True, "65,536 characters is the limit itself");
            Assert.That(astral.Succeeded, Is.True, "40,000 characters outside the BMP are 80,000 UTF-16 units but within the limit");
        });
    }

    [Test]
    public async Task A_line_of_invalid_UTF8_is_a_bad_line_not_silently_replaced()
    {
        var bytes = Encoding.UTF8.GetBytes(Line(0) + "\n" + Line(1, "bad-here") + "\n").ToList();
        var at = bytes.IndexOf((byte)'-', Encoding.UTF8.GetBytes(Line(0)).Length);
        bytes[at] = 0xC3; // a lead byte followed by an ASCII byte: not UTF-8

        var result = await new NdjsonLogReader().ReadAsync(new MemoryStream(bytes.ToArray()));

        Assert.Multiple(() =>
        {
            Assert.That(result.Succeeded, Is.False);
            Assert.That(result.Error!.Line, Is.EqualTo(2));
            Assert.That(result.Error.Reason, Does.Contain("UTF-8"));
        });
    }

    [Test]
    public async Task Oversized_line_is_refused_as_too_large_without_reading_it_whole()
    {
        var result = await Read(Line(0) + "\n" + Line(1, new string('a', 10_000)) + "\n", new NdjsonLogReaderOptions { MaxLineBytes = 2048 });

        Assert.That(result.Error!.TooLarge, Is.True);
        Assert.That(result.Error.Line, Is.EqualTo(2));
        Assert.That(result.Error.LimitBytes, Is.EqualTo(2048));
    }

    [Test]
    public async Task Oversized_body_is_refused_as_too_large()
    {
        var body = string.Join("\n", Enumerable.Range(0, 100).Select(i => Line(i)));
        var result = await Read(body, new NdjsonLogReaderOptions { MaxBodyBytes = 4096 });

        Assert.That(result.Error!.TooLarge, Is.True);
        Assert.That(result.Error.Reason, Does.Contain("4096"));
        Assert.That(result.Error.LimitBytes, Is.EqualTo(4096));
    }

    [Test]
    public async Task Empty_body_is_an_error()
    {
        var result = await Read("\n\n");

        Assert.That(result.Succeeded, Is.False);
        Assert.That(result.Error!.Line, Is.Zero);
    }

    [Test]
    public async Task ReadBatchesAsync_hands_over_batches_of_at_most_the_batch_size_in_order()
    {
        var body = string.Join("\n", Enumerable.Range(0, 2500).Select(i => Line(i))) + "\n";
        var sizes = new List<int>();
        var seqs = new List<long>();

        var error = await new NdjsonLogReader(new NdjsonLogReaderOptions { MaxLines = 3000 }).ReadBatchesAsync(
            new MemoryStream(Encoding.UTF8.GetBytes(body)),
            (batch, _) =>
            {
                sizes.Add(batch.Count);
                seqs.AddRange(batch.Select(e => e.Seq));
                return ValueTask.CompletedTask;
            },
            batchSize: 1000);

        Assert.That(error, Is.Null);
        Assert.That(seqs, Is.EqualTo(Enumerable.Range(0, 2500).Select(i => (long)i)));
        Assert.That(sizes, Is.EqualTo(new[] { 1000, 1000, 500 }));
    }

    [Test]
    public async Task ReadBatchesAsync_reports_the_first_bad_line_by_its_number_in_the_whole_body()
    {
        var lines = Enumerable.Range(0, 3000).Select(i => Line(i)).ToList();
        lines[2345] = "{not json";
        var handed = 0;

        var error = await new NdjsonLogReader(new NdjsonLogReaderOptions { MaxLines = 5000 }).ReadBatchesAsync(
            new MemoryStream(Encoding.UTF8.GetBytes(string.Join("\n", lines))),
            (batch, _) =>
            {
                handed += batch.Count;
                return ValueTask.CompletedTask;
            },
            batchSize: 500);

        Assert.That(error, Is.Not.Null);
        Assert.That(error!.Line, Is.EqualTo(2346));
        Assert.That(handed, Is.LessThan(2345), "lines after the bad one are never handed over");
    }

    [Test]
    public void ReadBatchesAsync_enforces_the_line_limit_over_the_whole_body()
    {
        var body = string.Join("\n", Enumerable.Range(0, 50).Select(i => Line(i)));

        var error = new NdjsonLogReader(new NdjsonLogReaderOptions { MaxLines = 10 }).ReadBatchesAsync(
            new MemoryStream(Encoding.UTF8.GetBytes(body)), (_, _) => ValueTask.CompletedTask, batchSize: 3).Result;

        Assert.That(error!.Line, Is.EqualTo(11));
        Assert.That(error.TooLarge, Is.True);
    }

    private static string LineWithFields(long seq, string fields) =>
        $$"""{"run":"{{Run}}","seq":{{seq}},"timestamp":"2026-11-26T20:00:00Z","stream":"stdout","message":"m","fields":{{fields}}}""";

    private static string Zeros(int count) => "{\"a\":[" + string.Join(",", Enumerable.Repeat("0", count)) + "]}";

    [TestCase("2026-11-26T20:00:00+99:00")]
    [TestCase("2026-11-26T20:00:00-15:00")]
    [TestCase("9999-12-31T23:59:59-01:00")]
    [TestCase("2026-11-26T20:00:00", TestName = "A timestamp without an offset is a bad line, not a time in the server's zone")]
    [TestCase("2026-11-26", TestName = "A date without a time is a bad line")]
    [TestCase("26/11/2026 20:00:00 +00:00", TestName = "A culture-formatted timestamp is a bad line")]
    public async Task A_timestamp_out_of_range_is_a_bad_line_not_a_server_error(string timestamp)
    {
        var bad = $$"""{"run":"{{Run}}","seq":1,"timestamp":"{{timestamp}}","stream":"stdout","message":"m"}""";

        var result = await Read(Line(0) + "\n" + bad + "\n");

        Assert.That(result.Succeeded, Is.False);
        Assert.That(result.Error!.Line, Is.EqualTo(2));
        Assert.That(result.Error.TooLarge, Is.False);
    }

    [TestCase("level")]
    [TestCase("fields")]
    public async Task An_explicit_null_for_an_optional_member_is_a_bad_line(string member)
    {
        var bad = $$"""{"run":"{{Run}}","seq":1,"timestamp":"2026-11-26T20:00:00Z","stream":"stdout","message":"m","{{member}}":null}""";

        var result = await Read(Line(0) + "\n" + bad + "\n");

        Assert.That(result.Succeeded, Is.False);
        Assert.That(result.Error!.Line, Is.EqualTo(2));
        Assert.That(result.Error.Reason, Does.Contain(member));
    }

    [Test]
    public async Task A_null_inside_the_free_form_fields_is_kept()
    {
        var result = await Read(LineWithFields(0, """{"exit":null}""") + "\n");

        Assert.That(result.Succeeded, Is.True, result.Error?.Reason);
        Assert.That(result.Entries[0].Fields!.ContainsKey("exit"), Is.True);
        Assert.That(result.Entries[0].Fields!["exit"], Is.Null);
    }

    [Test]
    public async Task Date_like_texts_in_fields_come_back_as_the_agent_sent_them()
    {
        var result = await Read(LineWithFields(0, """{"when":"2026-01-01T00:00:00.1234567Z","odd":"2026-01-01T00:00:00+15:00"}""") + "\n");

        Assert.That(result.Succeeded, Is.True, result.Error?.Reason);
        Assert.That(result.Entries[0].Fields!["when"], Is.EqualTo("2026-01-01T00:00:00.1234567Z"));
        Assert.That(result.Entries[0].Fields!["odd"], Is.EqualTo("2026-01-01T00:00:00+15:00"));
        Assert.That(result.Entries[0].Timestamp, Is.EqualTo(DateTimeOffset.Parse("2026-11-26T20:00:00Z", System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Test]
    public async Task A_line_whose_fields_hold_more_values_than_the_limit_is_too_large_and_a_smaller_one_passes()
    {
        var options = new NdjsonLogReaderOptions { MaxNestedValuesPerLine = 1000 };

        var fits = await Read(LineWithFields(0, Zeros(990)) + "\n", options);
        var over = await Read(LineWithFields(0, Zeros(10)) + "\n" + LineWithFields(1, Zeros(1000)) + "\n", options);

        Assert.That(fits.Succeeded, Is.True, fits.Error?.Reason);
        Assert.That(over.Succeeded, Is.False);
        Assert.That((over.Error!.Line, over.Error.TooLarge), Is.EqualTo((2L, true)));
        Assert.That(over.Error.Reason, Does.Contain("1000"));
    }

    [Test]
    public async Task A_body_whose_lines_together_hold_more_values_than_the_limit_is_too_large()
    {
        var options = new NdjsonLogReaderOptions { MaxNestedValuesPerLine = 1000, MaxNestedValuesPerBody = 2000 };
        var body = string.Join("\n", Enumerable.Range(0, 5).Select(i => LineWithFields(i, Zeros(600)))) + "\n";

        var result = await Read(body, options);

        Assert.That(result.Succeeded, Is.False);
        Assert.That((result.Error!.Line, result.Error.TooLarge), Is.EqualTo((4L, true)), "600 + 600 + 600 fit, the fourth line's values do not");
        Assert.That(result.Error.Reason, Does.Contain("body"));
    }

    [Test]
    public async Task ReadBatchesAsync_hands_over_a_batch_early_once_its_lines_hold_many_values()
    {
        var options = new NdjsonLogReaderOptions { MaxNestedValuesPerLine = 50_000 };
        var body = string.Join("\n", Enumerable.Range(0, 4).Select(i => LineWithFields(i, Zeros(40_000)))) + "\n";
        var sizes = new List<int>();

        var error = await new NdjsonLogReader(options).ReadBatchesAsync(
            new MemoryStream(Encoding.UTF8.GetBytes(body)),
            (batch, _) =>
            {
                sizes.Add(batch.Count);
                return ValueTask.CompletedTask;
            });

        Assert.That(error, Is.Null, error?.Reason);
        Assert.That(sizes, Is.EqualTo(new[] { 2, 2 }), "80,000 values after two lines: over the 65,536 a batch holds");

        // The body's own limit (160,000 values here against 100,000) is for ReadAsync only: batches hold one batch.
        var limited = new NdjsonLogReaderOptions { MaxNestedValuesPerLine = 50_000, MaxNestedValuesPerBody = 100_000 };
        var batched = await new NdjsonLogReader(limited).ReadBatchesAsync(new MemoryStream(Encoding.UTF8.GetBytes(body)), (_, _) => ValueTask.CompletedTask);
        var whole = await new NdjsonLogReader(limited).ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(body)));
        Assert.That(batched, Is.Null, batched?.Reason);
        Assert.That(whole.Error?.TooLarge, Is.True);
    }

    [Test]
    public async Task A_refusal_over_a_byte_limit_names_it_in_the_problems_limit_member_and_one_over_a_value_limit_does_not()
    {
        static async Task<System.Text.Json.JsonElement> Problem(LogBodyError error)
        {
            var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();
            context.Response.Body = new MemoryStream();
            var controller = new ProbeController();
            await controller.LogBodyProblem(error).ExecuteResultAsync(new Microsoft.AspNetCore.Mvc.ActionContext { HttpContext = context });
            context.Response.Body.Position = 0;
            return System.Text.Json.JsonDocument.Parse(context.Response.Body).RootElement.Clone();
        }

        var bytes = await Problem(new LogBodyError(3, "too long", TooLarge: true) { LimitBytes = 2048 });
        var values = await Problem(new LogBodyError(3, "too many values", TooLarge: true));

        Assert.That(bytes.GetProperty("limit").GetInt64(), Is.EqualTo(2048));
        Assert.That(bytes.GetProperty("line").GetInt64(), Is.EqualTo(3));
        Assert.That(values.TryGetProperty("limit", out _), Is.False);
    }

    private sealed class ProbeController : Microsoft.AspNetCore.Mvc.ControllerBase;
}

using System.Diagnostics;
using Databacker.Api.Client.Exceptions;
using Databacker.Api.Client.Reporting;

namespace Databacker.Api.Client.Tests.Reporting;

/// <summary><see cref="RunLog.CaptureAsync"/> when the log can no longer be written: it ends, and so does the child.</summary>
[TestFixture]
public sealed class RunLogCaptureTests
{
    [Test]
    public async Task A_refused_upload_ends_the_capture_with_the_refusal_and_kills_the_child()
    {
        var uploader = new LogUploader(async (body, ct) =>
        {
            await Task.Yield();
            throw new DatabackerApiException("forbidden", 403, null, new Dictionary<string, IEnumerable<string>>(), null);
        }, SecretRedactor.UrlsOnly);
        await using var session = uploader.Start();
        var log = new RunLog(Guid.NewGuid(), session.Writer);

        // A dump that writes a lot to stdout, and a little to stderr at its end.
        var pidFile = Path.Combine(Path.GetTempPath(), "databacker-capture-" + Guid.NewGuid().ToString("N"));
        var capture = log.CaptureAsync(new ProcessStartInfo("sh", ["-c", $"echo $$ > {pidFile}; seq 1 50000000; echo done >&2"]));
        var finished = await Task.WhenAny(capture, Task.Delay(TimeSpan.FromSeconds(20)));

        bool alive;
        var pid = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            using var child = Process.GetProcessById(pid);
            alive = !child.HasExited;
            if (alive)
            {
                child.Kill(entireProcessTree: true);
            }
        }
        catch (ArgumentException)
        {
            alive = false;
        }
        finally
        {
            File.Delete(pidFile);
        }

        Assert.Multiple(() =>
        {
            Assert.That(finished, Is.SameAs(capture), "CaptureAsync ended (the test waited 20 s)");
            Assert.That(capture.Exception?.InnerException, Is.InstanceOf<DatabackerApiException>(), "the controller's refusal");
            Assert.That(alive, Is.False, "the child is not left running");
        });
    }
}

using Databacker.Api.Server.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Databacker.Api.Server.Tests;

public sealed class ProblemExceptionMiddlewareTests
{
    private sealed class RecordingLogger : ILogger<ProblemExceptionMiddleware>
    {
        public List<LogLevel> Levels { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Levels.Add(logLevel);
    }

    private static async Task<(HttpContext Context, RecordingLogger Logger)> Run(Exception thrown, bool aborted)
    {
        using var abort = new CancellationTokenSource();
        var context = new DefaultHttpContext { RequestAborted = abort.Token };
        context.Response.Body = new MemoryStream();
        var logger = new RecordingLogger();
        var middleware = new ProblemExceptionMiddleware(
            _ =>
            {
                if (aborted)
                {
                    abort.Cancel();
                }

                throw thrown;
            },
            logger);

        await middleware.InvokeAsync(context);
        return (context, logger);
    }

    [Test]
    public async Task A_body_read_failing_because_the_client_went_away_is_neither_an_error_nor_a_500()
    {
        var (context, logger) = await Run(new IOException("The client reset the request stream."), aborted: true);

        Assert.That(context.Response.Body.Length, Is.Zero, "nobody to answer");
        Assert.That(logger.Levels, Has.None.EqualTo(LogLevel.Error));
    }

    [Test]
    public async Task A_server_fault_while_the_client_is_gone_is_still_logged()
    {
        var (_, logger) = await Run(new InvalidOperationException("the store failed"), aborted: true);

        Assert.That(logger.Levels, Has.Some.EqualTo(LogLevel.Error));
    }

    [Test]
    public async Task The_same_failure_with_the_client_still_there_is_a_logged_500()
    {
        var (context, logger) = await Run(new IOException("disk failed"), aborted: false);

        Assert.That(context.Response.StatusCode, Is.EqualTo(500));
        Assert.That(logger.Levels, Has.Some.EqualTo(LogLevel.Error));
    }
}

using System.Security.Cryptography;
using Databacker.Api.Client.Exceptions;

namespace Databacker.Samples.Agent;

/// <summary>Runs a command body and turns any failure into one line on stderr and a non-zero exit code.</summary>
internal static class CommandRunner
{
    public static async Task<int> RunAsync(Func<CancellationToken, Task<int>> body, CancellationToken cancellationToken)
    {
        try
        {
            return await body(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Console.Error.WriteLine("error: cancelled");
            return ExitCodes.Failure;
        }
        catch (Exception error)
        {
            Console.Error.WriteLine($"error: {Describe(error)}");
            return ExitCodes.Failure;
        }
    }

    public static string Describe(Exception error) => error switch
    {
        CommandFailure failure => failure.Message,
        DatabackerApiException api when api.StatusCode is { } status =>
            $"the controller answered {(int)status} {status} to {api.RequestMethod} {api.RequestUri}: {api.Problem?.Detail ?? api.Problem?.Title ?? FirstLine(api.Message)}",
        DatabackerApiException api => $"{FirstLine(api.Message)}{(api.InnerException is { } inner ? $" ({FirstLine(inner.Message)})" : "")}",
        HttpRequestException http => $"cannot reach the controller: {FirstLine(http.Message)}",
        FileNotFoundException file => $"file not found: {file.FileName ?? file.Message}",
        DirectoryNotFoundException directory => FirstLine(directory.Message),
        UnauthorizedAccessException access => FirstLine(access.Message),
        CryptographicException crypto => $"the key could not be read: {FirstLine(crypto.Message)}",
        _ => $"{error.GetType().Name}: {FirstLine(error.Message)}",
    };

    /// <summary>Whether the error means "the controller could not be reached right now" rather than "it said no".</summary>
    public static bool IsUnreachable(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case HttpRequestException or TimeoutException or IOException:
                    return true;
                case TaskCanceledException:
                    return true;
                case DatabackerApiException { StatusCode: { } status }:
                    var code = (int)status;
                    if (code >= 500 || code is 408 or 429)
                    {
                        return true;
                    }

                    return false;
            }

            if (e.GetType().Name.Contains("BrokenCircuit", StringComparison.Ordinal) || e.GetType().Name.Contains("Timeout", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static string FirstLine(string text)
    {
        var end = text.IndexOfAny(['\r', '\n']);
        return end < 0 ? text : text[..end];
    }
}

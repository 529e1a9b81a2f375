namespace Databacker.Api.Client.Exceptions;

/// <summary>
/// An error response that the contract describes with a body, e.g. a problem document or an OAuth error;
/// <see cref="Result"/> holds it deserialized.
/// </summary>
/// <typeparam name="TResult">The type of the documented error body.</typeparam>
public class DatabackerApiException<TResult> : DatabackerApiException
{
    /// <summary>Creates the exception; this is the signature the generated clients call.</summary>
    /// <remarks>
    /// The generated clients read documented error bodies as a stream, so <paramref name="response"/> is empty for
    /// them; a problem document is then taken from <paramref name="result"/> so that <see cref="DatabackerApiException.Problem"/> is set.
    /// </remarks>
    /// <param name="message">What went wrong, for a person.</param>
    /// <param name="statusCode">The response status code.</param>
    /// <param name="response">The response body as text.</param>
    /// <param name="headers">The response headers.</param>
    /// <param name="result">The deserialized error body.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public DatabackerApiException(string message, int statusCode, string? response, IReadOnlyDictionary<string, IEnumerable<string>> headers, TResult result, Exception? innerException)
        : base(message, statusCode, string.IsNullOrEmpty(response) && result is Databacker.Api.Contracts.Problem ? Newtonsoft.Json.JsonConvert.SerializeObject(result) : response, headers, innerException)
    {
        Result = result;
    }

    /// <summary>The deserialized error body.</summary>
    public TResult Result { get; }
}

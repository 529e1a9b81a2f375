namespace Databacker.Api.Client.Authentication;

/// <summary>
/// An <see cref="IUserTokenSource"/> that always serves the same end-user token, e.g. one an operator obtained
/// elsewhere and keeps in a file. It cannot refresh: a 401 is given to the caller. Its <see cref="ToString"/> never
/// shows the token.
/// </summary>
public sealed class StaticUserTokenSource : IUserTokenSource
{
    private readonly string _token;

    /// <summary>Creates the source.</summary>
    /// <param name="token">The bearer token; surrounding white space is trimmed.</param>
    /// <exception cref="ArgumentException">The token is empty or not an RFC 6750 <c>b64token</c> (e.g. it holds spaces or line breaks).</exception>
    public StaticUserTokenSource(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var trimmed = token.Trim();
        if (!UserTokenHandler.IsBearerToken(trimmed))
        {
            // The message never repeats the value: it is a credential.
            throw new ArgumentException(
                "The user token must be a non-empty RFC 6750 bearer token (letters, digits, '-', '.', '_', '~', '+', '/', then optional '='), with no spaces or line breaks.",
                nameof(token));
        }

        _token = trimmed;
    }

    /// <inheritdoc />
    public ValueTask<string> GetTokenAsync(CancellationToken cancellationToken) => ValueTask.FromResult(_token);

    /// <inheritdoc />
    public override string ToString() => "StaticUserTokenSource(***)";
}

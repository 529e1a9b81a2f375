namespace Databacker.Api.Client.Exceptions;

/// <summary>
/// An administration call was not sent because no end user's token is configured. Administration routes need an end
/// user's token; the instance's agent token is never sent to them. Set <c>DatabackerClientOptions.UserTokens</c> or
/// register an <c>IUserTokenSource</c> (<c>AddDatabackerUserTokens</c>). Nothing went over the wire.
/// </summary>
public sealed class UserTokenRequiredException : DatabackerApiException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong, for a person.</param>
    /// <param name="details">The call that was not sent (method and URI; no response).</param>
    public UserTokenRequiredException(string message, ApiCallDetails details)
        : base(message, details)
    {
    }
}

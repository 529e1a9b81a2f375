namespace Databacker.Api.Server.Authentication;

/// <summary>The instance key store could not be asked whether a token's key is still registered, and this server has
/// not found it registered lately: the request is answered 503 (with <c>Retry-After</c>), neither let through nor refused.</summary>
internal sealed class InstanceKeysUnavailableException(string? instanceId, Exception inner)
    : Exception("The instance key store could not be asked whether the token's key is still registered.", inner)
{
    /// <summary>The instance the token was issued to.</summary>
    public string? InstanceId { get; } = instanceId;

    /// <summary>Whether an authentication failure is (or holds) this one.</summary>
    public static bool IsIn(Exception? failure) => failure switch
    {
        InstanceKeysUnavailableException => true,
        AggregateException aggregate => aggregate.InnerExceptions.Any(IsIn),
        null => false,
        _ => IsIn(failure.InnerException),
    };
}

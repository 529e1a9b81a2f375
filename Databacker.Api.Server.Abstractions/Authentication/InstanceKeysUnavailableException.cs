namespace Databacker.Api.Server.Authentication;

/// <summary>The instance key store could not be asked whether a token's key is still registered, and this server has
/// not found it registered lately: the request is answered 503 (with <c>Retry-After</c>), neither let through nor refused.</summary>
internal sealed class InstanceKeysUnavailableException(Exception inner)
    : Exception("The instance key store could not be asked whether the token's key is still registered.", inner);

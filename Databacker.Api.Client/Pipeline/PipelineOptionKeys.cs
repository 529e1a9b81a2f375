namespace Databacker.Api.Client.Pipeline;

/// <summary>Keys of the per-call state that handlers share through <see cref="HttpRequestMessage.Options"/>.</summary>
internal static class PipelineOptionKeys
{
    /// <summary>
    /// The end user's token source of the caller's scope, set by an administration client resolved there: the
    /// <see cref="Authentication.UserTokenHandler"/> lives in the handler's own scope, shared by every caller.
    /// </summary>
    public static readonly HttpRequestOptionsKey<Authentication.IUserTokenSource> UserTokens = new("Databacker.Api.Client.UserTokens");

    /// <summary>The body captured once per logical call, reused for every hop and retry.</summary>
    public static readonly HttpRequestOptionsKey<RequestBody> Body = new("Databacker.Api.Client.Body");

    /// <summary>The URIs this call has been sent to so far (first request, then redirect targets).</summary>
    public static readonly HttpRequestOptionsKey<List<Uri>> RedirectChain = new("Databacker.Api.Client.RedirectChain");

    /// <summary>Set by the routing handler on a hop whose origin is untrusted: no credential of any kind goes there.</summary>
    public static readonly HttpRequestOptionsKey<bool> CredentialsStripped = new("Databacker.Api.Client.CredentialsStripped");

    /// <summary>The overrides of the <see cref="DatabackerRequest.With"/> scope the call was made in.</summary>
    public static readonly HttpRequestOptionsKey<DatabackerRequestOverrides> Overrides = new("Databacker.Api.Client.Overrides");
}

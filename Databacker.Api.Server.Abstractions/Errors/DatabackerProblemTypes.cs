namespace Databacker.Api.Server.Errors;

/// <summary>
/// The stable <c>type</c> URIs of the problem details (RFC 9457) this server answers with, one per kind of error.
/// They live under <see cref="BaseUri"/>, a made-up host under the reserved <c>.example</c> domain (RFC 2606), so they
/// identify the kind of problem and never resolve to anything; clients compare them as strings.
/// </summary>
public static class DatabackerProblemTypes
{
    /// <summary>The base of every problem type URI.</summary>
    public const string BaseUri = "https://problems.databacker.example/";

    /// <summary>400: the body is malformed JSON, has members of the wrong type, misses required members or fails validation.</summary>
    public const string InvalidBody = BaseUri + "invalid-body";

    /// <summary>
    /// 400: a path, query or header parameter is invalid: malformed (an instance id that does not match its pattern, a
    /// limit that is not a number, an empty value) or outside what the contract allows (a limit above its maximum);
    /// the problem's <c>parameter</c> member names it.
    /// </summary>
    public const string InvalidParameter = BaseUri + "invalid-parameter";

    /// <summary>
    /// 400: a query parameter the operation does not declare, or a declared one given more than once; the problem's
    /// <c>parameter</c> member names it. Only operations that declare query parameters refuse unknown ones (there a
    /// misspelt filter would silently change the result); the others ignore the query string.
    /// </summary>
    public const string UnknownParameter = BaseUri + "unknown-parameter";

    /// <summary>400: the request could not be read.</summary>
    public const string BadRequest = BaseUri + "bad-request";

    /// <summary>401: no valid access token of the kind the operation needs was presented.</summary>
    public const string Unauthorized = BaseUri + "unauthorized";

    /// <summary>403: the token does not allow the operation (missing scope or audience).</summary>
    public const string Forbidden = BaseUri + "forbidden";

    /// <summary>403: the agent token is bound to another instance than the one in the path.</summary>
    public const string InstanceMismatch = BaseUri + "instance-mismatch";

    /// <summary>404: the path is not part of the API, or the resource does not exist.</summary>
    public const string NotFound = BaseUri + "not-found";

    /// <summary>405: the path is part of the API but not with this method.</summary>
    public const string MethodNotAllowed = BaseUri + "method-not-allowed";

    /// <summary>406: no representation matches <c>Accept</c>; the problem's <c>available</c> member lists the media types.</summary>
    public const string NotAcceptable = BaseUri + "not-acceptable";

    /// <summary>409: the request conflicts with the current state of the resource.</summary>
    public const string Conflict = BaseUri + "conflict";

    /// <summary>410: the operation is part of the API, but this endpoint does not serve it and knows no endpoint that does.</summary>
    public const string NotServedHere = BaseUri + "not-served-here";

    /// <summary>412: a precondition such as <c>If-Match</c> failed.</summary>
    public const string PreconditionFailed = BaseUri + "precondition-failed";

    /// <summary>413: the body is larger than this operation accepts; the problem's <c>limit</c> member gives the limit in bytes.</summary>
    public const string PayloadTooLarge = BaseUri + "payload-too-large";

    /// <summary>415: the body's media type or version is not supported; the problem's <c>supported</c> member lists the media types.</summary>
    public const string UnsupportedMediaType = BaseUri + "unsupported-media-type";

    /// <summary>429: too many requests.</summary>
    public const string TooManyRequests = BaseUri + "too-many-requests";

    /// <summary>500: the server failed; nothing about the failure is disclosed.</summary>
    public const string InternalError = BaseUri + "internal-error";

    /// <summary>Any other error status: <c>about:blank</c>, whose title is the status phrase (RFC 9457 section 4.2.1).</summary>
    public const string AboutBlank = "about:blank";
}

using Databacker.Api.Contracts;

namespace Databacker.Api.Client.Configuration;

/// <summary>The answer to a configuration poll: a new document with its ETag, or "not modified".</summary>
public sealed class ConfigurationResult
{
    private ConfigurationResult(ConfigDocument? document, string? etag, bool notModified)
    {
        Document = document;
        ETag = etag;
        NotModified = notModified;
    }

    /// <summary>
    /// <see langword="true"/> when the controller answered <c>304 Not Modified</c>: the document identified by the
    /// ETag the caller sent is still current, and <see cref="Document"/> is <see langword="null"/>.
    /// </summary>
    public bool NotModified { get; }

    /// <summary>The configuration document, when it changed (or was fetched for the first time).</summary>
    public ConfigDocument? Document { get; }

    /// <summary>The ETag to send on the next poll: the new document's, or the one sent when not modified.</summary>
    public string? ETag { get; }

    internal static ConfigurationResult Changed(ConfigDocument document, string? etag) => new(document, etag, notModified: false);

    internal static ConfigurationResult Unchanged(string? etag) => new(null, etag, notModified: true);
}

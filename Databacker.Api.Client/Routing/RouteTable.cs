using System.Collections.Concurrent;
using Databacker.Api.Client.Pipeline;

namespace Databacker.Api.Client.Routing;

/// <summary>
/// The permanent moves (301, 308) the client has seen, so later calls to a moved route go straight to its new place.
/// Thread-safe; share one per endpoint configuration. Call <see cref="Clear"/> when the configuration changes (for
/// example a new orchestration URL) or a remembered place stops answering; entries are not expired by time, because the
/// API promises that resources are permanent. A move that keeps the query moves the path with any query (every page of a
/// list follows one move). The table is bounded (about 1,024 moves of each kind); beyond that some other move of the
/// same kind is forgotten (not necessarily the oldest), which costs one more 301 if it is met again.
/// </summary>
public sealed class RouteTable
{
    private const int MaxResolutionSteps = 10;

    // The most moves kept in each kind; beyond it another one is forgotten (it costs one more 301 if met again). Moves
    // are few in practice (one per moved service or folder), but a long-running client must not grow without bound.
    internal const int MaxEntries = 1024;

    // Moves of one URI whose query the move changed, keyed by the whole URI.
    private readonly ConcurrentDictionary<string, Uri> _routes = new(StringComparer.Ordinal);

    // Moves that kept the query, keyed by origin + path; the request's own query is carried over, so every page of
    // GET /instances?cursor=… follows one remembered move of /instances.
    private readonly ConcurrentDictionary<string, string> _paths = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _prefixes = new(StringComparer.Ordinal);

    // Whether no move was ever remembered (since the last Clear): asked on every call, and ConcurrentDictionary.IsEmpty
    // takes all of a dictionary's locks when it is empty. Set only after the entries are added, so it is never true
    // while an entry exists.
    private volatile bool _none = true;

    /// <summary>The number of remembered moves (moves of one URI, of one path with any query, and of folders).</summary>
    public int Count => _routes.Count + _paths.Count + _prefixes.Count;

    /// <summary>Remembers that <paramref name="from"/> moved permanently to <paramref name="to"/>.</summary>
    /// <param name="from">The absolute URI that answered 301 or 308.</param>
    /// <param name="to">The absolute URI it moved to.</param>
    /// <param name="applyToService">
    /// Also move the other routes of the same folder, when the route kept its last segment: for
    /// <c>https://a/engines/telemetry/i/log</c> moved to <c>https://b/engines/telemetry/i/log</c>, every route under
    /// <c>https://a/engines/telemetry/i/</c> goes under <c>https://b/engines/telemetry/i/</c>. Never a wider prefix: a
    /// partial endpoint moves one service's routes, not its neighbours' (other folders get their own 301).
    /// </param>
    public void Remember(Uri from, Uri to, bool applyToService = true)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        if (!from.IsAbsoluteUri || !to.IsAbsoluteUri)
        {
            throw new ArgumentException("Moves are remembered between absolute URIs only.");
        }

        if (string.Equals(from.Query, to.Query, StringComparison.Ordinal))
        {
            Add(_paths, PathKeyOf(from), to.GetLeftPart(UriPartial.Path));
        }
        else
        {
            Add(_routes, KeyOf(from), to);
        }

        if (applyToService && TryGetPrefixMove(from, to, out var fromPrefix, out var toPrefix))
        {
            Add(_prefixes, fromPrefix, toPrefix);
        }

        _none = false;
    }

    private static void Add<TValue>(ConcurrentDictionary<string, TValue> moves, string key, TValue value)
    {
        if (moves.Count >= MaxEntries && !moves.ContainsKey(key))
        {
            foreach (var old in moves.Keys)
            {
                if (moves.TryRemove(old, out _) && moves.Count < MaxEntries)
                {
                    break;
                }
            }
        }

        moves[key] = value;
    }

    /// <summary>Forgets every remembered move.</summary>
    public void Clear()
    {
        _none = true;
        _routes.Clear();
        _paths.Clear();
        _prefixes.Clear();
    }

    /// <summary>Where a request for <paramref name="requestUri"/> should go, following remembered moves.</summary>
    /// <param name="requestUri">The absolute URI the caller asked for.</param>
    /// <param name="target">The remembered new place, when there is one.</param>
    /// <returns><see langword="true"/> when a remembered move applies.</returns>
    public bool TryResolve(Uri requestUri, out Uri target)
    {
        ArgumentNullException.ThrowIfNull(requestUri);
        target = requestUri;
        if (_none || !requestUri.IsAbsoluteUri)
        {
            return false;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var current = requestUri;
        for (var step = 0; step < MaxResolutionSteps && seen.Add(KeyOf(current)); step++)
        {
            if (_routes.TryGetValue(KeyOf(current), out var next) || TryApplyPath(current, out next) || TryApplyPrefix(current, out next))
            {
                current = next;
                continue;
            }

            break;
        }

        target = current;
        return !ReferenceEquals(current, requestUri);
    }

    private static string KeyOf(Uri uri) => uri.GetComponents(UriComponents.HttpRequestUrl, UriFormat.UriEscaped);

    private static string PathKeyOf(Uri uri) => Origin.Of(uri) + uri.AbsolutePath;

    private bool TryApplyPath(Uri uri, out Uri target)
    {
        target = uri;
        if (_paths.IsEmpty || !_paths.TryGetValue(PathKeyOf(uri), out var moved))
        {
            return false;
        }

        target = new Uri(moved + uri.Query);
        return true;
    }

    // The longest remembered folder the path lies in: one lookup per enclosing folder, deepest first, instead of a scan
    // of every remembered prefix (an administration client may remember one folder per instance).
    private bool TryApplyPrefix(Uri uri, out Uri target)
    {
        target = uri;
        if (_prefixes.IsEmpty)
        {
            return false;
        }

        var path = PathKeyOf(uri);
        var rootLength = Origin.Of(uri).Length + 1;
        for (var end = path.LastIndexOf('/'); end >= rootLength - 1; end = end == 0 ? -1 : path.LastIndexOf('/', end - 1))
        {
            var prefix = path[..(end + 1)];
            if (_prefixes.TryGetValue(prefix, out var replacement))
            {
                // The prefix keys are origin + path; the replacement is an absolute URI prefix.
                target = new Uri(replacement + path[prefix.Length..] + uri.Query);
                return true;
            }
        }

        return false;
    }

    // The route's folder moved: the route keeps its last segment and everything before it (origin and folder) changed.
    // Only the folder moves, never more: a partial endpoint's 301 for /engines/telemetry/i/log (reporting) must not take
    // /engines/config/i (orchestration) with it, and a single-segment route moves no folder at all.
    private static bool TryGetPrefixMove(Uri from, Uri to, out string fromPrefix, out string toPrefix)
    {
        fromPrefix = toPrefix = string.Empty;
        if (!string.Equals(from.Query, to.Query, StringComparison.Ordinal))
        {
            return false;
        }

        var fromSegments = from.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var toSegments = to.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (fromSegments.Length < 2 || toSegments.Length < 1 || !string.Equals(fromSegments[^1], toSegments[^1], StringComparison.Ordinal))
        {
            return false;
        }

        var fromFolder = string.Join('/', fromSegments[..^1]) + "/";
        var toFolder = toSegments.Length > 1 ? string.Join('/', toSegments[..^1]) + "/" : string.Empty;
        if (Origin.Same(from, to) && fromFolder == toFolder)
        {
            return false;
        }

        fromPrefix = Origin.Of(from) + "/" + fromFolder;
        toPrefix = to.GetLeftPart(UriPartial.Authority) + "/" + toFolder;
        return true;
    }
}

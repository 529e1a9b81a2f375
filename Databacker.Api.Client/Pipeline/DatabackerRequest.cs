namespace Databacker.Api.Client.Pipeline;

/// <summary>
/// Per-call overrides for the generated clients, which take no options argument of their own:
/// <code>
/// using (DatabackerRequest.With(o => o.Timeout = TimeSpan.FromSeconds(5)))
/// {
///     await client.Orchestration.GetConfigAsync(instanceId);
/// }
/// </code>
/// </summary>
/// <remarks>
/// <para>The scope is ambient to the current asynchronous flow (an <see cref="AsyncLocal{T}"/>, like
/// <c>Activity.Current</c>): calls made in it, including tasks started in it while it is open, get the overrides; calls
/// on other flows never see them, and nothing started in the scope sees them once it is disposed.</para>
/// <para>The generated client captures the overrides when it creates the request message and clears them for the rest
/// of that call, so the requests the pipeline makes on the call's behalf (a discovery fetch, a token request, shared
/// with concurrent callers) run with the client's configured options. The overrides are applied by the
/// <see cref="RequestOverridesHandler"/>, which <c>AddDatabackerClient</c> and <c>DatabackerClientBuilder</c> put
/// outermost in every client.</para>
/// </remarks>
public static class DatabackerRequest
{
    private static readonly AsyncLocal<Scope?> Ambient = new();

    /// <summary>Opens a scope whose overrides apply to the databacker calls made in it, until it is disposed.</summary>
    /// <param name="configure">Sets what to change; runs once, now.</param>
    /// <returns>The scope; dispose it to end the overrides (a <c>using</c> statement).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="DatabackerRequestOverrides.Timeout"/> is not positive.</exception>
    public static IDisposable With(Action<DatabackerRequestOverrides> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var parent = Open(Ambient.Value);
        var overrides = parent?.Overrides.Copy() ?? new DatabackerRequestOverrides();
        configure(overrides);
        if (overrides.Timeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(configure), timeout, "DatabackerRequestOverrides.Timeout must be more than zero.");
        }

        var scope = new Scope(overrides, parent);
        Ambient.Value = scope;
        return scope;
    }

    /// <summary>
    /// Called by the generated clients as they prepare a request: puts the open scope's overrides on it and clears the
    /// ambient scope for the rest of the call (the generated method is async, so the caller's scope is untouched).
    /// </summary>
    internal static void Capture(HttpRequestMessage request)
    {
        if (Open(Ambient.Value) is not { } scope)
        {
            return;
        }

        Ambient.Value = null;
        request.Options.Set(PipelineOptionKeys.Overrides, scope.Overrides);

        // Set here, on the request the generated client has just built, so that it holds in any pipeline (even one
        // without the RequestOverridesHandler).
        if (scope.Overrides.AcceptMediaType is { } accept)
        {
            request.Headers.Accept.Clear();
            request.Headers.Accept.Add(new System.Net.Http.Headers.MediaTypeWithQualityHeaderValue(accept));
        }
    }

    // A task started in a scope keeps the scope in its execution context after the scope is disposed; skip it then.
    private static Scope? Open(Scope? scope)
    {
        while (scope is { Disposed: true })
        {
            scope = scope.Parent;
        }

        return scope;
    }

    private sealed class Scope(DatabackerRequestOverrides overrides, Scope? parent) : IDisposable
    {
        private int _disposed;

        public DatabackerRequestOverrides Overrides { get; } = overrides;

        public Scope? Parent { get; } = parent;

        public bool Disposed => Volatile.Read(ref _disposed) != 0;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0 && ReferenceEquals(Ambient.Value, this))
            {
                Ambient.Value = Open(Parent);
            }
        }
    }
}

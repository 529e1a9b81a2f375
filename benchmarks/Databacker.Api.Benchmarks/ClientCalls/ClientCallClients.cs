using System.Net.Http.Headers;
using Databacker.Api.Auth.Keys;
using Databacker.Api.Benchmarks.Kiota;
using Databacker.Api.Client;
using Databacker.Api.Client.DependencyInjection;
using Databacker.Api.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;
using Newtonsoft.Json;
using Refit;

namespace Databacker.Api.Benchmarks.ClientCalls;

/// <summary>
/// The four clients of <c>GET /engines/config/{instance}</c> compared in <see cref="ClientCallBenchmarks"/>, all against
/// one <see cref="ConfigServer"/>, each with its own connection pool and all warmed up (one call each, which also gets
/// the SDK its token).
/// </summary>
public sealed class ClientCallClients : IAsyncDisposable
{
    /// <summary>The fixed bearer token of the raw, Refit and Kiota clients.</summary>
    public const string FixedToken = "bench-fixed-token";

    private static readonly JsonSerializer RawSerializer = JsonSerializer.CreateDefault();
    private static readonly MediaTypeWithQualityHeaderValue ConfigAccept = new(ConfigServer.ConfigMediaType);

    private readonly ServiceProvider _services;
    private readonly EcdsaKey _key;
    private readonly HttpClient _raw;
    private readonly HttpClient _refitHttp;
    private readonly HttpClient _kiotaHttp;
    private readonly string _rawPath;

    private ClientCallClients(ConfigServer server)
    {
        Server = server;
        _key = EcdsaKey.Generate();
        var services = new ServiceCollection();
        services.AddDatabackerClient(o =>
        {
            o.Controller = server.BaseAddress;
            o.InstanceId = ConfigServer.InstanceId;
            o.Key = _key;
        });
        _services = services.BuildServiceProvider();
        Databacker = _services.GetRequiredService<IOrchestrationClient>();

        _raw = NewHttpClient(new SocketsHttpHandler(), server.BaseAddress);
        _rawPath = "engines/config/" + Uri.EscapeDataString(ConfigServer.InstanceId);

        _refitHttp = NewHttpClient(new SocketsHttpHandler(), server.BaseAddress);
        Refit = RestService.For<IRefitOrchestration>(_refitHttp, new RefitSettings { ContentSerializer = new NewtonsoftRefitSerializer() });

        // Kiota's recommended HttpClient: its default middleware (retry, redirect, headers, user agent …) over the transport.
        _kiotaHttp = KiotaClientFactory.Create(new SocketsHttpHandler());
        _kiotaHttp.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", FixedToken);
        var adapter = new HttpClientRequestAdapter(new AnonymousAuthenticationProvider(), httpClient: _kiotaHttp)
        {
            BaseUrl = server.BaseAddress.GetLeftPart(UriPartial.Authority),
        };
        Kiota = new KiotaOrchestrationClient(adapter);
    }

    /// <summary>The server the clients call.</summary>
    public ConfigServer Server { get; }

    /// <summary>The SDK's generated client in the pipeline <c>AddDatabackerClient</c> builds.</summary>
    public IOrchestrationClient Databacker { get; }

    /// <summary>The Refit client.</summary>
    public IRefitOrchestration Refit { get; }

    /// <summary>The Kiota-generated client.</summary>
    public KiotaOrchestrationClient Kiota { get; }

    /// <summary>Starts a server and builds and warms up the clients.</summary>
    public static async Task<ClientCallClients> StartAsync()
    {
        var clients = new ClientCallClients(await ConfigServer.StartAsync().ConfigureAwait(false));
        await clients.CallDatabackerAsync().ConfigureAwait(false);
        await clients.CallRawAsync().ConfigureAwait(false);
        await clients.CallRefitAsync().ConfigureAwait(false);
        await clients.CallKiotaAsync().ConfigureAwait(false);
        return clients;
    }

    /// <summary>The SDK: full pipeline, cached token.</summary>
    public async Task<ConfigDocument> CallDatabackerAsync()
    {
        var response = await Databacker.GetConfigAsync(ConfigServer.InstanceId).ConfigureAwait(false);
        return response.Result;
    }

    /// <summary>
    /// The baseline: a raw <see cref="HttpClient"/> with a fixed bearer header, streamed hand-written Newtonsoft
    /// deserialization, and nothing else (no retries, routing, media type checks).
    /// </summary>
    public async Task<ConfigDocument> CallRawAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _rawPath);
        request.Headers.Accept.Add(ConfigAccept);
        using var response = await _raw.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var reader = new JsonTextReader(new StreamReader(stream));
            return RawSerializer.Deserialize<ConfigDocument>(reader) ?? throw new InvalidOperationException("The server answered an empty document.");
        }
    }

    /// <summary>The Refit client (Newtonsoft content serializer, fixed bearer header).</summary>
    public Task<ConfigDocument> CallRefitAsync() => Refit.GetConfigAsync(ConfigServer.InstanceId);

    /// <summary>The Kiota client (its default middleware and JSON parse nodes, fixed bearer header).</summary>
    public async Task<Kiota.Models.ConfigDocument> CallKiotaAsync() =>
        await Kiota.Engines.Config[ConfigServer.InstanceId].GetAsync().ConfigureAwait(false)
            ?? throw new InvalidOperationException("The server answered an empty document.");

    /// <summary>Disposes the clients and stops the server.</summary>
    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync().ConfigureAwait(false);
        _raw.Dispose();
        _refitHttp.Dispose();
        _kiotaHttp.Dispose();
        _key.Dispose();
        await Server.DisposeAsync().ConfigureAwait(false);
    }

    private static HttpClient NewHttpClient(HttpMessageHandler handler, Uri baseAddress)
    {
        var http = new HttpClient(handler) { BaseAddress = baseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", FixedToken);
        return http;
    }
}

using WireMock.Logging;
using WireMock.Server;
using WireMock.Settings;
using System.Net;
using System.Net.Sockets;

namespace Databacker.Api.Client.Tests.Support;

/// <summary>WireMock servers on 127.0.0.1, disposed together.</summary>
public sealed class Servers : IDisposable
{
    private readonly List<WireMockServer> _servers = [];

    public WireMockServer Start()
    {
        var server = WireMockServer.Start(new WireMockServerSettings
        {
            Urls = [$"http://127.0.0.1:{FreePort()}"],
        });
        _servers.Add(server);
        return server;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        foreach (var server in _servers)
        {
            server.Stop();
            server.Dispose();
        }
    }
}

internal static class WireMockExtensions
{
    public static string Url127(this WireMockServer server) => $"http://127.0.0.1:{server.Port}";

    public static Uri Uri(this WireMockServer server, string path = "/") => new(new Uri(server.Url127()), path);

    public static IReadOnlyList<ILogEntry> Requests(this WireMockServer server, string? path = null) =>
        server.LogEntries.Where(e => path is null || e.RequestMessage.Path == path).ToList();

    public static string? Header(this ILogEntry entry, string name) =>
        entry.RequestMessage.Headers is { } headers && headers.TryGetValue(name, out var values) ? string.Join(",", values) : null;
}

using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Databacker.Api.Client.Tests.Support;

/// <summary>
/// A raw HTTP/1.1 server on loopback, for answers no well-behaved server gives: each request head (read as Latin-1, byte
/// for byte) gets <c>respond(head)</c> written as UTF-8, and the connection stays open, so a short body stalls.
/// </summary>
internal sealed class RawServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _clients = [];

    public RawServer(Func<string, string> respond)
    {
        _listener.Start();
        _ = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try { client = await _listener.AcceptTcpClientAsync(_stop.Token); } catch { return; }
                lock (_clients) _clients.Add(client);
                _ = Task.Run(async () =>
                {
                    try
                    {
                        var stream = client.GetStream();
                        while (true)
                        {
                            var head = await ReadHeadAsync(stream);
                            if (head is null) return;
                            Requests.Add(head);
                            var bytes = Encoding.UTF8.GetBytes(respond(head));
                            await stream.WriteAsync(bytes);
                            await stream.FlushAsync();
                        }
                    }
                    catch
                    {
                    }
                });
            }
        });
    }

    public System.Collections.Concurrent.ConcurrentBag<string> Requests { get; } = [];

    public Uri Uri => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    private static async Task<string?> ReadHeadAsync(NetworkStream stream)
    {
        var buffer = new List<byte>();
        var one = new byte[1];
        while (true)
        {
            if (await stream.ReadAsync(one) == 0) return null;
            buffer.Add(one[0]);
            if (buffer.Count >= 4 && buffer[^1] == '\n' && buffer[^2] == '\r' && buffer[^3] == '\n' && buffer[^4] == '\r')
            {
                var head = Encoding.Latin1.GetString(buffer.ToArray()); // byte for byte
                var length = head.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
                if (length is not null)
                {
                    var n = int.Parse(length.Split(':')[1].Trim());
                    var body = new byte[n];
                    await stream.ReadExactlyAsync(body);
                }

                return head;
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_clients) foreach (var c in _clients) c.Dispose();
    }
}

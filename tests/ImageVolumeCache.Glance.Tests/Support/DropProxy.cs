using System.Net;
using System.Net.Sockets;

namespace ImageVolumeCache.Glance.Tests.Support;

/// <summary>
/// A TCP proxy on 127.0.0.1 in front of a server, that counts every byte it forwards to the client and, when that count
/// reaches a planned mark, drops the connection that carried it (closing both sides) or stalls it (forwarding nothing
/// more on it until the client gives up). An action planned with a mark runs just before it takes effect.
/// </summary>
internal sealed class DropProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly int _upstreamPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Mark> _marks = [];
    private readonly Lock _lock = new();
    private readonly Task _accepting;
    private long _bytesToClient;
    private int _connections;
    private volatile bool _refusing;

    public DropProxy(int upstreamPort)
    {
        _upstreamPort = upstreamPort;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public Uri Endpoint => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    /// <summary>Every byte forwarded to clients so far, headers included.</summary>
    public long BytesToClient => Interlocked.Read(ref _bytesToClient);

    /// <summary>The connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Drops the connection that carries byte <paramref name="at"/> of all forwarded to clients, right after it.</summary>
    public void DropAt(long at, Action? before = null) => Plan(new Mark(at, Stall: false, before));

    /// <summary>Stops forwarding on the connection that carries byte <paramref name="at"/>, right after it.</summary>
    public void StallAt(long at) => Plan(new Mark(at, Stall: true, null));

    /// <summary>Stops listening: every later connection is refused, as by a server that went away.</summary>
    public void RefuseConnections()
    {
        _refusing = true;
        _listener.Stop();
    }

    private void Plan(Mark mark)
    {
        lock (_lock)
        {
            _marks.Add(mark);
            _marks.Sort((a, b) => a.At.CompareTo(b.At));
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested || _refusing)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(Socket client)
    {
        using var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        Task toServer = Task.CompletedTask;
        try
        {
            await upstream.ConnectAsync(IPAddress.Loopback, _upstreamPort, connection.Token);
            toServer = ForwardRequestsAsync(client, upstream, connection);
            await ForwardResponsesAsync(upstream, client, connection.Token);
        }
        catch (Exception)
        {
            // A dropped, stalled or finished connection: nothing to report.
        }
        finally
        {
            await connection.CancelAsync();
            client.Dispose();
            upstream.Dispose();
            await toServer;
        }
    }

    private static async Task ForwardRequestsAsync(Socket client, Socket upstream, CancellationTokenSource connection)
    {
        byte[] buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await client.ReceiveAsync(buffer, connection.Token)) > 0)
            {
                await upstream.SendAsync(buffer.AsMemory(0, read), connection.Token);
            }
        }
        catch (Exception)
        {
            // The client went away, or the connection was dropped.
        }
        finally
        {
            // The client is gone (or cut off): a stalled response has nobody left to wait for.
            await connection.CancelAsync();
        }
    }

    private async Task ForwardResponsesAsync(Socket upstream, Socket client, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[64 * 1024];
        int read;
        while ((read = await upstream.ReceiveAsync(buffer, cancellationToken)) > 0)
        {
            int offset = 0;
            while (offset < read)
            {
                (int count, Mark? mark) = Take(read - offset);
                await client.SendAsync(buffer.AsMemory(offset, count), cancellationToken);
                offset += count;
                if (mark is null)
                {
                    continue;
                }

                mark.Before?.Invoke();
                if (mark.Stall)
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }

                client.Shutdown(SocketShutdown.Both);
                client.Close();
                upstream.Close();
                return;
            }
        }
    }

    /// <summary>Counts up to <paramref name="wanted"/> bytes as forwarded, stopping at the next mark, which it then returns (once).</summary>
    private (int Count, Mark? Mark) Take(int wanted)
    {
        lock (_lock)
        {
            long total = _bytesToClient;
            if (_marks.Count > 0 && total + wanted >= _marks[0].At)
            {
                Mark mark = _marks[0];
                _marks.RemoveAt(0);
                int count = (int)Math.Max(0, mark.At - total);
                Interlocked.Add(ref _bytesToClient, count);
                return (count, mark);
            }

            Interlocked.Add(ref _bytesToClient, wanted);
            return (wanted, null);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }

    private sealed record Mark(long At, bool Stall, Action? Before);
}

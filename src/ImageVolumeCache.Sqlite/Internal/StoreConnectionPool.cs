using System.Collections.Concurrent;

namespace ImageVolumeCache.Sqlite.Internal;

/// <summary>
/// The store's open connections: at most a fixed number, reused so that each call costs a prepared statement's step,
/// not a file open and a statement compile.
/// </summary>
internal sealed class StoreConnectionPool(int maxConnections, Func<StoreConnection> open) : IDisposable
{
    private readonly ConcurrentStack<StoreConnection> _idle = new();
    private readonly SemaphoreSlim _slots = new(maxConnections, maxConnections);
    private volatile bool _disposed;

    public async ValueTask<StoreConnection> RentAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_slots.Wait(0, CancellationToken.None))
        {
            await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_idle.TryPop(out StoreConnection? connection))
        {
            return connection;
        }

        try
        {
            return open();
        }
        catch
        {
            _slots.Release();
            throw;
        }
    }

    public void Return(StoreConnection connection)
    {
        if (connection.Broken || _disposed)
        {
            connection.Dispose();
        }
        else
        {
            _idle.Push(connection);
        }

        _slots.Release();
    }

    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryPop(out StoreConnection? connection))
        {
            connection.Dispose();
        }
    }
}

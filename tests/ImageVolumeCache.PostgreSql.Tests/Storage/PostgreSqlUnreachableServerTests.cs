using System.Net;
using System.Net.Sockets;
using ImageVolumeCache.PostgreSql.Tests.Support;
using static ImageVolumeCache.PostgreSql.Tests.Support.StoreEntries;

namespace ImageVolumeCache.PostgreSql.Tests.Storage;

/// <summary>A server that cannot be reached is the store's error, naming the server and never the password; it needs no server.</summary>
public sealed class PostgreSqlUnreachableServerTests
{
    private const string Password = "s3cret-do-not-show";

    private int _port;
    private PostgreSqlCacheEntryStore _store = null!;

    [SetUp]
    public void PointAStoreAtAPortNobodyListensOn()
    {
        _port = FreePort();
        _store = new PostgreSqlCacheEntryStore(new PostgreSqlCacheEntryStoreOptions
        {
            ConnectionString = $"Host=127.0.0.1;Port={_port};Database=cinder;Username=cinder;Password={Password};Timeout=5",
        });
    }

    [TearDown]
    public void CloseStore() => _store.Dispose();

    [Test]
    public async Task Start_up_fails_naming_the_host_port_and_database()
    {
        CacheEntryStoreException? error = await StoreFailures.OfAsync(() => _store.InitializeAsync(CancellationToken.None));

        Assert.That(error?.Message, Does.Contain($"postgresql://127.0.0.1:{_port}/cinder").And.Contain("cannot be reached"));
        Assert.That(error!.Location, Is.EqualTo($"postgresql://127.0.0.1:{_port}/cinder (schema image_volume_cache)"));
    }

    [Test]
    public async Task A_lookup_fails_with_the_store_error_and_no_password()
    {
        CacheEntryStoreException? error = await StoreFailures.OfAsync(() => _store.GetAndTouchAsync(Scope, "image-a", T0, CancellationToken.None));

        Assert.That(error?.Message, Does.Contain($"127.0.0.1:{_port}").And.Not.Contain(Password).And.Not.Contain("Username"));
        Assert.That(error!.ToString(), Does.Not.Contain(Password));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

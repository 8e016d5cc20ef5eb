using System.Diagnostics;
using ImageVolumeCache.FileSystem;
using ImageVolumeCache.PostgreSql.Tests.Support;
using ImageVolumeCache.Sqlite.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace ImageVolumeCache.PostgreSql.Tests.Caching;

/// <summary>
/// A host of a cluster (the test host's "hold" command, a real process) takes the fill lease of an uncached image and is
/// killed with SIGKILL in the middle of its fill; another host of the cluster, waiting for that fill, takes the lease over
/// once it runs out, fills the cache and serves its request; the next reconciliation deletes the half-made cache volume.
/// </summary>
public sealed class FillLeaseExpiryTests
{
    private const string Cluster = "cluster1@fs";
    private const string ImageId = "image-a";

    [Test]
    public async Task A_host_killed_while_filling_loses_its_lease_to_a_waiting_host_within_the_lease_and_one_renewal_period()
    {
        string connection = PostgresServer.Require();
        string schema = PostgresServer.NewSchemaName();
        using var folder = new TemporaryDirectory();
        string volumes = Directory.CreateDirectory(folder.Combine("volumes")).FullName;
        string images = folder.Combine("images");
        byte[] data = new byte[96 << 10];
        new Random(5).NextBytes(data);
        await new FolderImageService(images).AddImageAsync(new FolderImage(ImageId, "owner-project"), new MemoryStream(data), CancellationToken.None);
        string store = $"{CrashHost.PostgresStorePrefix}{schema}:{connection}";
        try
        {
            using Process holder = ChildProcess.Start(["hold", volumes, images, store, ImageId, "h1@fs", Cluster]);
            Assert.That(await holder.StandardOutput.ReadLineAsync(), Is.EqualTo("ready"), await ChildProcess.ErrorsAsync(holder));
            string? filling = await holder.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(1));
            Assert.That(filling, Does.StartWith("filling "), await ChildProcess.ErrorsAsync(holder));
            string halfMade = filling!["filling ".Length..];

            // The waiting host holds leases as long as the holder's, so both renew (and wait) on the same period.
            var takenOver = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            await using ServiceProvider waiter = CrashHost.Build(
                volumes, images, store, inner => new CacheVolumeCreation(inner, takenOver), maxCount: 0, "h2@fs", Cluster, HoldCommand.LeaseDuration);
            Task<CreateVolumeFromImageResult> waiting = CrashHost.CreateAsync(waiter, "target-waiting", ImageId, 1, "h2@fs", Cluster);
            await Task.Delay(HoldCommand.LeaseDuration * 2);
            Assert.That(waiting.IsCompleted, Is.False, "the waiting host waits while the holder lives and renews its lease");

            long killed = Stopwatch.GetTimestamp();
            holder.Kill();
            CreateVolumeFromImageResult result = await waiting.WaitAsync(TimeSpan.FromMinutes(1));
            TimeSpan completed = Stopwatch.GetElapsedTime(killed);
            TimeSpan takeover = Stopwatch.GetElapsedTime(killed, await takenOver.Task);

            TimeSpan renewal = HoldCommand.LeaseDuration / 3;
            await TestContext.Out.WriteLineAsync($"lease {HoldCommand.LeaseDuration.TotalSeconds:F1} s, renewal period {renewal.TotalSeconds:F2} s; after the kill: takeover {takeover.TotalSeconds:F2} s, request done {completed.TotalSeconds:F2} s");
            Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
            Assert.That((await File.ReadAllBytesAsync(Path.Combine(volumes, "target-waiting.img")))[..data.Length], Is.EqualTo(data), "the image's bytes");

            // The takeover starts with the next look after the lease ran out; the calls that follow it (taking the
            // lease, reserving room) are given half a second on a shared machine.
            Assert.That(takeover, Is.LessThanOrEqualTo(HoldCommand.LeaseDuration + renewal + TimeSpan.FromSeconds(0.5)));
            Assert.That(File.Exists(Path.Combine(volumes, halfMade + ".img")), Is.True, "the killed host's half-made volume is there until reconciliation");

            ReconciliationResult reconciled = await waiter.GetRequiredService<IImageVolumeCache>().ReconcileAsync("h2@fs", CancellationToken.None);

            Assert.That(File.Exists(Path.Combine(volumes, halfMade + ".img")), Is.False, "the next reconciliation deletes the half-made volume");
            Assert.That(reconciled.VolumesDeleted, Is.EqualTo(1));
            Assert.That(await PostgresServer.QueryAsync($"SELECT count(*) FROM \"{schema}\".cache_entries"), Is.EqualTo(1L));
        }
        finally
        {
            await PostgresServer.DropSchemaAsync(schema);
        }
    }

    /// <summary>Notes the moment the first cache volume (a GUID id; users' volumes are named otherwise) is made.</summary>
    private sealed class CacheVolumeCreation(IVolumeDriver inner, TaskCompletionSource<long> made) : ForwardingDriver(inner)
    {
        public override ValueTask CreateVolumeAsync(VolumeSpec volume, CancellationToken cancellationToken)
        {
            if (Guid.TryParse(volume.Id, out _))
            {
                made.TrySetResult(Stopwatch.GetTimestamp());
            }

            return base.CreateVolumeAsync(volume, cancellationToken);
        }
    }
}

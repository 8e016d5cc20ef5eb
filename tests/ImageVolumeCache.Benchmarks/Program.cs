// Benchmarks of ImageVolumeCache. With no mode, BenchmarkDotNet's switcher runs the micro-benchmarks:
//   dotnet run -c Release --project tests/ImageVolumeCache.Benchmarks -- --filter '*' [--job short]
// Modes for what is not a micro-benchmark:
//   herd [--requests 256] [--delay-ms 200]    concurrent requests for one uncached image
//   cluster-herd [--hosts 3] [--requests 96] [--delay-ms 200]
//                                             the herd over the hosts of one cluster sharing a PostgreSQL schema
//   peer [--sizes 1000,10000,100000] [--budget S] [--results DIR] [--json FILE]
//                                             Cinder's bookkeeping next to the store benchmarks' figures
//   e2e [--image-size-mb 1024] [--dir PATH ...] [--repeat 5] [--image-format raw|qcow2] [--json FILE]
//                                             file-system backend end to end: no cache, first miss, hit, cp --reflink;
//                                             with qcow2 also a converted miss next to sha256sum + qemu-img convert
//   hits [--seconds 2] [--concurrency 1,2,8,64]
//                                             hits per second at each concurrency, on each store (PostgreSQL with
//                                             IMAGEVOLUMECACHE_POSTGRES), with the 2-vs-1 and 64-vs-2 ratios
//   charts [--results DIR] [--cinder FILE] [--e2e FILE] [--out docs/benchmarks] [--caption TEXT]
//                                             SVG charts of a run's figures: store costs against entries (log-log,
//                                             ours and Cinder's), the end-to-end steps of each directory
// eng/run-benchmarks.sh runs them all and prints the tables.
using BenchmarkDotNet.Running;
using ImageVolumeCache.Benchmarks.Modes;

return args.FirstOrDefault() switch
{
    "herd" => await HerdRun.RunAsync(args[1..]),
    "cluster-herd" => await ClusterHerdRun.RunAsync(args[1..]),
    "peer" => await PeerRun.RunAsync(args[1..]),
    "e2e" => await E2eRun.RunAsync(args[1..]),
    "hits" => await HitThroughputRun.RunAsync(args[1..]),
    "charts" => await ChartsRun.RunAsync(args[1..]),
    _ => Run(args),
};

static int Run(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(HerdRun).Assembly).Run(args);
    return 0;
}

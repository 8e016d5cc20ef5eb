// Benchmarks of ImageVolumeCache. With no mode, BenchmarkDotNet's switcher runs the micro-benchmarks:
//   dotnet run -c Release --project tests/ImageVolumeCache.Benchmarks -- --filter '*' [--job short]
// Modes for what is not a micro-benchmark:
//   herd [--requests 256] [--delay-ms 200]    concurrent requests for one uncached image
//   peer [--sizes 1000,10000,100000] [--budget S] [--results DIR] [--json FILE]
//                                             Cinder's bookkeeping next to the store benchmarks' figures
// eng/run-benchmarks.sh runs them all and prints the tables.
using BenchmarkDotNet.Running;
using ImageVolumeCache.Benchmarks.Modes;

return args.FirstOrDefault() switch
{
    "herd" => await HerdRun.RunAsync(args[1..]),
    "peer" => await PeerRun.RunAsync(args[1..]),
    _ => Run(args),
};

static int Run(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(HerdRun).Assembly).Run(args);
    return 0;
}

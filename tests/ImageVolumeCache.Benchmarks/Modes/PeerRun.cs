using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace ImageVolumeCache.Benchmarks.Modes;

/// <summary>
/// Runs the peer benchmark, <c>../shared/peer/cinder_bench.py</c> (OpenStack Cinder's own cache bookkeeping on its real
/// database API), and prints its figures next to ours, read from the JSON reports of the store benchmarks run just
/// before in the same session, with the ratio Cinder ÷ ours at each size both measured.
/// </summary>
public static class PeerRun
{
    /// <summary>Cinder's operation for each of ours, in the order printed.</summary>
    internal static readonly (string Cinder, string Ours, string Label)[] Operations =
    [
        ("get_entry (hit)", nameof(Stores.CacheEntryStoreBenchmarks.LookupAndTouch), "lookup-and-touch"),
        ("create_cache_entry", nameof(Stores.CacheEntryStoreBenchmarks.Insert), "insert"),
        ("ensure_space (evict 1)", nameof(Stores.CacheEntryStoreBenchmarks.EvictOne), "evict-one"),
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        string root = RepositoryRoot();
        string script = Path.GetFullPath(Path.Combine(root, "..", "shared", "peer", "cinder_bench.py"));
        if (!File.Exists(script))
        {
            await Console.Error.WriteLineAsync($"error: the peer benchmark is not at {script} (the shared folder beside the repository).").ConfigureAwait(false);
            return 2;
        }

        string sizes = Option(args, "--sizes") ?? "1000,10000,100000";
        string results = Path.GetFullPath(Option(args, "--results") ?? Path.Combine(root, "BenchmarkDotNet.Artifacts", "results"));
        string json = Path.GetFullPath(Option(args, "--json") ?? Path.Combine(root, "artifacts", "bench", "cinder.json"));
        Directory.CreateDirectory(Path.GetDirectoryName(json)!);

        var start = new ProcessStartInfo("python3") { UseShellExecute = false };
        foreach (string arg in new[] { script, "--sizes", sizes, "--json", json })
        {
            start.ArgumentList.Add(arg);
        }

        if (Option(args, "--budget") is { } budget)
        {
            start.ArgumentList.Add("--budget");
            start.ArgumentList.Add(budget);
        }

        using (Process python = Process.Start(start) ?? throw new InvalidOperationException("python3 could not be started."))
        {
            await python.WaitForExitAsync().ConfigureAwait(false);
            if (python.ExitCode != 0)
            {
                await Console.Error.WriteLineAsync($"error: {Path.GetFileName(script)} exited with code {python.ExitCode}.").ConfigureAwait(false);
                return python.ExitCode;
            }
        }

        Dictionary<(long N, string Op), double> cinder = ReadCinder(json);
        Dictionary<string, Dictionary<(long N, string Op), double>> ours = ReadOurs(results);
        PrintComparison(cinder, ours, results);
        return 0;
    }

    internal static Dictionary<(long N, string Op), double> ReadCinder(string path)
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(path));
        var figures = new Dictionary<(long, string), double>();
        foreach (JsonElement row in doc.RootElement.EnumerateArray())
        {
            figures[(row.GetProperty("N").GetInt64(), row.GetProperty("op").GetString()!)] = row.GetProperty("median_us").GetDouble();
        }

        return figures;
    }

    /// <summary>Reads the medians (µs) of every store benchmark class found in BenchmarkDotNet's JSON reports, keyed by store.</summary>
    internal static Dictionary<string, Dictionary<(long N, string Op), double>> ReadOurs(string results)
    {
        var stores = new Dictionary<string, Dictionary<(long, string), double>>(StringComparer.Ordinal);
        if (!Directory.Exists(results))
        {
            return stores;
        }

        foreach (string file in Directory.EnumerateFiles(results, "*StoreBenchmarks-report*.json").Order(StringComparer.Ordinal))
        {
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(file));
            foreach (JsonElement benchmark in doc.RootElement.GetProperty("Benchmarks").EnumerateArray())
            {
                if (!benchmark.TryGetProperty("Statistics", out JsonElement statistics) || statistics.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                string store = benchmark.GetProperty("Type").GetString()!.Replace("StoreBenchmarks", string.Empty, StringComparison.Ordinal);
                string parameters = benchmark.GetProperty("Parameters").GetString() ?? string.Empty;
                string entries = parameters.Split('&').Select(p => p.Split('=')).First(p => p[0] == "Entries")[1];
                if (!stores.TryGetValue(store, out Dictionary<(long, string), double>? figures))
                {
                    stores[store] = figures = [];
                }

                figures[(long.Parse(entries, CultureInfo.InvariantCulture), benchmark.GetProperty("Method").GetString()!)] =
                    statistics.GetProperty("Median").GetDouble() / 1000.0;
            }
        }

        return stores;
    }

    private static void PrintComparison(
        Dictionary<(long N, string Op), double> cinder, Dictionary<string, Dictionary<(long N, string Op), double>> ours, string results)
    {
        Console.WriteLine();
        if (ours.Count == 0)
        {
            Console.WriteLine($"# no store benchmark reports in {results}: run the store benchmarks first with --exporters json (see eng/run-benchmarks.sh)");
            return;
        }

        string[] storeNames = [.. ours.Keys.Order(StringComparer.Ordinal)];
        Console.WriteLine("| N | operation | Cinder µs | " + string.Join(" | ", storeNames.Select(s => $"{s} µs | Cinder ÷ {s}")) + " |");
        Console.WriteLine("|---:|---|---:|" + string.Concat(storeNames.Select(_ => "---:|---:|")));
        foreach (long n in cinder.Keys.Select(k => k.N).Distinct().Order())
        {
            foreach ((string cinderOp, string ourOp, string label) in Operations)
            {
                if (!cinder.TryGetValue((n, cinderOp), out double theirs))
                {
                    continue;
                }

                var row = new List<string> { n.ToString("N0", CultureInfo.InvariantCulture), label, Format(theirs) };
                foreach (string store in storeNames)
                {
                    bool measured = ours[store].TryGetValue((n, ourOp), out double mine);
                    row.Add(measured ? Format(mine) : "–");
                    row.Add(measured ? Ratio(theirs / mine) : "–");
                }

                Console.WriteLine("| " + string.Join(" | ", row) + " |");
            }
        }
    }

    private static string Format(double micros) =>
        micros >= 100 ? micros.ToString("N0", CultureInfo.InvariantCulture) : micros.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Ratio(double ratio) => ratio.ToString(ratio >= 100 ? "N0" : "N1", CultureInfo.InvariantCulture) + "×";

    private static string? Option(string[] args, string name)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    /// <summary>The folder holding <c>ImageVolumeCache.sln</c>, above the working directory or the program.</summary>
    internal static string RepositoryRoot()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (DirectoryInfo? dir = new(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "ImageVolumeCache.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("ImageVolumeCache.sln was not found above the working directory or the program.");
    }
}

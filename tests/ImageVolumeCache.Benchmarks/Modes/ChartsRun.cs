using System.Globalization;
using System.Text.Json;
using ScottPlot;

namespace ImageVolumeCache.Benchmarks.Modes;

/// <summary>
/// Draws the figures of one benchmark run as SVG charts (ScottPlot), for the README: the cost of each store operation
/// against the number of entries on log-log axes, every store of ours beside Cinder's bookkeeping
/// (<c>stores-&lt;operation&gt;.svg</c>); and the end-to-end steps of each directory on a log axis
/// (<c>e2e-&lt;file system&gt;.svg</c>). It reads what eng/run-benchmarks.sh leaves: BenchmarkDotNet's JSON reports,
/// the peer's cinder.json and e2e's --json file; a part whose input is missing is skipped with a note. With --png, each
/// chart is also saved as PNG.
/// </summary>
public static class ChartsRun
{
    private static readonly Color[] Palette = [Colors.SteelBlue, Colors.DarkOrange, Colors.SeaGreen, Colors.Crimson, Colors.MediumPurple];

    public static async Task<int> RunAsync(string[] args)
    {
        string results = Option(args, "--results") ?? Path.Combine("artifacts", "bench", "bdn", "results");
        string cinderJson = Option(args, "--cinder") ?? Path.Combine("artifacts", "bench", "cinder.json");
        string e2eJson = Option(args, "--e2e") ?? Path.Combine("artifacts", "bench", "e2e.json");
        string output = Option(args, "--out") ?? Path.Combine("docs", "benchmarks");
        string caption = Option(args, "--caption") ?? DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        bool png = args.Contains("--png");
        Directory.CreateDirectory(output);

        Dictionary<string, Dictionary<(long N, string Op), double>> ours = PeerRun.ReadOurs(results);
        Dictionary<(long N, string Op), double> cinder = File.Exists(cinderJson) ? PeerRun.ReadCinder(cinderJson) : [];
        if (ours.Count == 0)
        {
            Console.WriteLine($"# charts: no store benchmark reports in {results}; the store charts are skipped");
        }
        else
        {
            foreach ((string cinderOp, string ourOp, string label) in PeerRun.Operations)
            {
                string file = Path.Combine(output, $"stores-{label}.svg");
                Save(StoreChart(ours, cinder, cinderOp, ourOp, label, caption), file, png);
                Console.WriteLine($"# charts: {file}");
            }
        }

        if (!File.Exists(e2eJson))
        {
            Console.WriteLine($"# charts: no {e2eJson}; the end-to-end charts are skipped");
            return 0;
        }

        E2eRun.E2eFigures[] runs = JsonSerializer.Deserialize<E2eRun.E2eFigures[]>(await File.ReadAllTextAsync(e2eJson).ConfigureAwait(false)) ?? [];
        foreach (E2eRun.E2eFigures run in runs)
        {
            string file = Path.Combine(output, $"e2e-{run.FileSystem}{(run.Reflink ? "-reflink" : string.Empty)}.svg");
            Save(E2eChart(run, caption), file, png, width: 860);
            Console.WriteLine($"# charts: {file}");
        }

        return 0;
    }

    /// <summary>One operation: µs against entries, both on log10 axes, a line per store.</summary>
    private static Plot StoreChart(
        Dictionary<string, Dictionary<(long N, string Op), double>> ours, Dictionary<(long N, string Op), double> cinder, string cinderOp, string ourOp, string label, string caption)
    {
        var plot = new Plot();
        int colour = 0;
        foreach ((string store, Dictionary<(long N, string Op), double> figures) in ours.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            AddSeries(plot, store, figures.Where(f => f.Key.Op == ourOp).Select(f => (f.Key.N, f.Value)), Palette[colour++ % Palette.Length]);
        }

        AddSeries(plot, "Cinder (SQLite)", cinder.Where(f => f.Key.Op == cinderOp).Select(f => (f.Key.N, f.Value)), Colors.Black);
        plot.Title($"{label}: µs per operation against entries\n{caption}", size: 14);
        plot.XLabel("entries in the scope (log)");
        plot.YLabel("µs, median (log)");
        LogAxis(plot.Axes.Bottom);
        LogAxis(plot.Axes.Left);
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    private static void AddSeries(Plot plot, string name, IEnumerable<(long N, double Us)> points, Color color)
    {
        (long N, double Us)[] sorted = [.. points.Where(p => p.Us > 0).OrderBy(p => p.N)];
        if (sorted.Length == 0)
        {
            return;
        }

        var series = plot.Add.Scatter(sorted.Select(p => Math.Log10(p.N)).ToArray(), sorted.Select(p => Math.Log10(p.Us)).ToArray(), color);
        series.LegendText = name;
        series.MarkerSize = 7;
        series.LineWidth = 2;
    }

    /// <summary>The end-to-end steps of one directory, as bars on a log10 axis of ms, each labelled with its value.</summary>
    private static Plot E2eChart(E2eRun.E2eFigures run, string caption)
    {
        (string Label, double? Ms)[] steps =
        [
            ("no cache", run.NoCacheMs),
            ("first miss", run.MissMs),
            ("sha256sum", run.ChecksumMs),
            ("cp image", run.ImageCopyMs),
            ("hit", run.HitMs),
            (run.Reference.Replace("=always", string.Empty, StringComparison.Ordinal), run.ReferenceMs),
            ("FICLONE", run.FicloneMs),
        ];
        (string Label, double Ms)[] shown = [.. steps.Where(s => s.Ms is > 0).Select(s => (s.Label, s.Ms!.Value))];
        var plot = new Plot();
        for (int i = 0; i < shown.Length; i++)
        {
            var bar = new Bar
            {
                Position = i,
                Value = Math.Log10(Math.Max(shown[i].Ms, 0.01)) + 2, // from 0.01 ms, so every bar is above the axis
                FillColor = Palette[i % Palette.Length],
                Label = shown[i].Ms.ToString(shown[i].Ms < 10 ? "F2" : "F0", CultureInfo.InvariantCulture) + " ms",
            };
            plot.Add.Bar(bar);
        }

        plot.Axes.Bottom.SetTicks([.. Enumerable.Range(0, shown.Length).Select(i => (double)i)], [.. shown.Select(s => s.Label)]);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            IntegerTicksOnly = true,
            LabelFormatter = y => Label(Math.Pow(10, y - 2)),
        };
        plot.Axes.Margins(bottom: 0);
        plot.Title($"{run.ImageMiB} MiB image, {run.FileSystem}{(run.Reflink ? " with reflink" : string.Empty)}: ms per volume, median\n{caption}", size: 14);
        plot.YLabel("ms (log)");
        return plot;
    }

    /// <summary>Saves the chart as SVG, and with <c>--png</c> as PNG beside it (to look at where SVG is not shown).</summary>
    private static void Save(Plot plot, string svg, bool png, int width = 720)
    {
        plot.SaveSvg(svg, width, 440);
        if (png)
        {
            plot.SavePng(Path.ChangeExtension(svg, ".png"), width, 440);
        }
    }

    private static void LogAxis(IAxis axis) =>
        axis.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = v => Label(Math.Pow(10, v)),
        };

    private static string Label(double value) =>
        value.ToString(value >= 1 ? "N0" : "G3", CultureInfo.InvariantCulture);

    private static string? Option(string[] args, string name)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }
}

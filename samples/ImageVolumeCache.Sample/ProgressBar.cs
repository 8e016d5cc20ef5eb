namespace ImageVolumeCache.Sample;

/// <summary>
/// Shows how far a long step got: a bar redrawn in place on a terminal, or a line at each quarter when the output is
/// redirected (a log file, a test). As a request's <see cref="CreateVolumeFromImageRequest.Progress"/>, it draws a bar
/// for each step that moves the image's bytes (its download, its conversion) and ignores the others.
/// </summary>
internal sealed class ProgressBar(TextWriter output, bool interactive) : IProgress<CreateFromImageProgress>
{
    private const int Width = 30;
    private PipelineStep? _step;
    private string _label = string.Empty;
    private long _total;
    private int _shown = -1;

    public void Start(string label, long total)
    {
        _label = label;
        _total = Math.Max(1, total);
        _shown = -1;
    }

    public void Report(CreateFromImageProgress value)
    {
        if (value.BytesTotal is not { } total)
        {
            return;
        }

        if (value.Step != _step || value.BytesDone == 0)
        {
            _step = value.Step;
            Start(value.Step == PipelineStep.Convert ? "convert" : "download", total);
        }

        Report(value.BytesDone);
    }

    public void Report(long done)
    {
        int percent = (int)Math.Clamp(done * 100 / _total, 0, 100);
        int step = interactive ? percent : percent / 25 * 25;
        if (step == _shown || _total <= 1)
        {
            return;
        }

        _shown = step;
        string mib = $"{done >> 20}/{_total >> 20} MiB";
        if (interactive)
        {
            int filled = percent * Width / 100;
            output.Write($"\r    {_label,-12} [{new string('#', filled)}{new string('.', Width - filled)}] {percent,3}% {mib}   ");
            if (percent == 100)
            {
                output.WriteLine();
            }
        }
        else
        {
            output.WriteLine($"    {_label,-12} {step,3}% {mib}");
        }
    }
}

using System.Text;

namespace ImageVolumeCache.Cli.Output;

/// <summary>A table for people: a header row and rows of cells, each column as wide as its widest cell, two spaces apart.</summary>
internal sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public int Count => _rows.Count;

    public void Add(params string[] cells)
    {
        if (cells.Length != headers.Length)
        {
            throw new ArgumentException($"A row of this table has {headers.Length} cells, not {cells.Length}.", nameof(cells));
        }

        _rows.Add(cells);
    }

    public async Task WriteAsync(TextWriter output)
    {
        int[] widths = [.. headers.Select((h, i) => _rows.Select(r => r[i].Length).Prepend(h.Length).Max())];
        await output.WriteLineAsync(Line(headers, widths));
        foreach (string[] row in _rows)
        {
            await output.WriteLineAsync(Line(row, widths));
        }
    }

    private static string Line(string[] cells, int[] widths)
    {
        var line = new StringBuilder();
        for (int i = 0; i < cells.Length; i++)
        {
            line.Append(i == cells.Length - 1 ? cells[i] : cells[i].PadRight(widths[i] + 2));
        }

        return line.ToString().TrimEnd();
    }
}

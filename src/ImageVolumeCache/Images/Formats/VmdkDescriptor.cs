using System.Text;
using System.Text.RegularExpressions;

namespace ImageVolumeCache.Images.Formats;

/// <summary>The parts of a VMDK text descriptor that decide what qemu-img reads: its create type, its extents and its parent.</summary>
internal sealed partial class VmdkDescriptor
{
    private VmdkDescriptor(string? createType, IReadOnlyList<VmdkExtent> extents, string? parent)
    {
        CreateType = createType;
        Extents = extents;
        Parent = parent;
    }

    public string? CreateType { get; }

    /// <summary>
    /// What names a parent disk, when anything does: a <c>parentFileNameHint</c> anywhere in the descriptor (qemu-img
    /// searches the whole text for it, comments included, and opens the file it names as the backing disk), or a
    /// <c>parentCID</c> other than <c>ffffffff</c> (a disk that depends on a parent).
    /// </summary>
    public string? Parent { get; }

    public IReadOnlyList<VmdkExtent> Extents { get; }

    /// <summary>Parses the descriptor text in <paramref name="bytes"/>, up to its first NUL.</summary>
    public static VmdkDescriptor Parse(ReadOnlySpan<byte> bytes)
    {
        int end = bytes.IndexOf((byte)0);
        string text = Encoding.ASCII.GetString(end < 0 ? bytes : bytes[..end]);
        string? parent = bytes.IndexOf("parentFileNameHint"u8) >= 0 ? "parentFileNameHint" : null;
        string? createType = null;
        var extents = new List<VmdkExtent>();
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.Trim();
            Match match;
            if ((match = CreateTypeLine().Match(line)).Success)
            {
                createType = match.Groups["type"].Value;
            }
            else if ((match = ParentCidLine().Match(line)).Success && !string.Equals(match.Groups["cid"].Value, "ffffffff", StringComparison.OrdinalIgnoreCase))
            {
                parent ??= $"parentCID={match.Groups["cid"].Value}";
            }
            else if ((match = ExtentLine().Match(line)).Success)
            {
                extents.Add(new VmdkExtent(match.Groups["type"].Value.ToUpperInvariant(), match.Groups["file"].Success ? match.Groups["file"].Value : null));
            }
        }

        return new VmdkDescriptor(createType, extents, parent);
    }

    /// <summary>
    /// Whether <paramref name="head"/> is a text descriptor file as qemu-img recognises one: its first line that is
    /// neither blank nor a comment sets <c>version=</c>.
    /// </summary>
    public static bool IsDescriptorFile(ReadOnlySpan<byte> head)
    {
        ReadOnlySpan<byte> text = head[..Math.Min(head.Length, 4096)];
        while (!text.IsEmpty)
        {
            int end = text.IndexOf((byte)'\n');
            ReadOnlySpan<byte> line = (end < 0 ? text : text[..end]).Trim(" \t\r"u8);
            if (!line.IsEmpty && line[0] != (byte)'#')
            {
                return line.StartsWith("version="u8);
            }

            text = end < 0 ? [] : text[(end + 1)..];
        }

        return false;
    }

    /// <summary>The descriptor's extent text, made safe to quote in a message: printable ASCII, at most 80 characters.</summary>
    public static string Quote(string? value)
    {
        if (value is null)
        {
            return "(none)";
        }

        var builder = new StringBuilder();
        foreach (char c in value.Take(80))
        {
            builder.Append(c is >= ' ' and <= '~' ? c : '?');
        }

        return "\"" + builder + "\"";
    }

    [GeneratedRegex("""^parentCID\s*=\s*"?(?<cid>[^"\s]*)"?""", RegexOptions.CultureInvariant)]
    private static partial Regex ParentCidLine();

    [GeneratedRegex("""^createType\s*=\s*"?(?<type>[^"\s]*)"?""", RegexOptions.CultureInvariant)]
    private static partial Regex CreateTypeLine();

    [GeneratedRegex("""^(RW|RDONLY|NOACCESS)\s+\d+\s+(?<type>[A-Za-z]+)(\s+"(?<file>[^"]*)")?""", RegexOptions.CultureInvariant)]
    private static partial Regex ExtentLine();
}

using System.Text;
using System.Text.RegularExpressions;

namespace ImageVolumeCache.Tests.Conventions;

/// <summary>
/// Finds <c>await</c>s in C# source that do not use <c>ConfigureAwait(false)</c>. A plain await must have it in its own
/// expression; <c>await using (…)</c> and <c>await foreach (…)</c> must have it inside their parentheses. Comments and
/// string literals are ignored (so are awaits inside interpolation holes).
/// </summary>
internal static partial class AwaitScanner
{
    private const string Configured = ".ConfigureAwait(false)";

    /// <summary>Returns the 1-based line of every offending await.</summary>
    public static IReadOnlyList<int> FindUnconfiguredAwaits(string source)
    {
        string code = BlankCommentsAndStrings(source);
        var offenders = new List<int>();
        foreach (Match match in AwaitKeyword().Matches(code))
        {
            int after = match.Index + match.Length;
            string segment = HeaderOf(code, after) ?? ExpressionAfter(code, after);
            if (!segment.Contains(Configured, StringComparison.Ordinal))
            {
                offenders.Add(LineOf(code, match.Index));
            }
        }

        return offenders;
    }

    /// <summary>For <c>await using (…)</c> or <c>await foreach (…)</c>, the text in the parentheses; else <see langword="null"/>.</summary>
    private static string? HeaderOf(string code, int after)
    {
        Match keyword = BlockKeyword().Match(code, after);
        if (!keyword.Success || keyword.Index != after)
        {
            return null;
        }

        int open = keyword.Index + keyword.Length - 1;
        int depth = 0;
        for (int i = open; i < code.Length; i++)
        {
            depth += code[i] switch { '(' => 1, ')' => -1, _ => 0 };
            if (depth == 0)
            {
                return code[open..(i + 1)];
            }
        }

        return code[open..];
    }

    /// <summary>The awaited expression: up to a <c>;</c> or <c>,</c> at its own nesting level, or a closing bracket it did not open.</summary>
    private static string ExpressionAfter(string code, int after)
    {
        int depth = 0;
        for (int i = after; i < code.Length; i++)
        {
            switch (code[i])
            {
                case '(' or '[' or '{':
                    depth++;
                    break;
                case ')' or ']' or '}':
                    if (--depth < 0)
                    {
                        return code[after..i];
                    }

                    break;
                case ';' or ',' when depth == 0:
                    return code[after..i];
            }
        }

        return code[after..];
    }

    private static int LineOf(string code, int index) => 1 + code.AsSpan(0, index).Count('\n');

    /// <summary>Replaces comments and string and character literals with spaces, keeping line breaks.</summary>
    private static string BlankCommentsAndStrings(string source)
    {
        var code = new StringBuilder(source);
        int i = 0;
        while (i < source.Length)
        {
            int start = i;
            if (At(source, i, "//"))
            {
                while (i < source.Length && source[i] != '\n')
                {
                    i++;
                }
            }
            else if (At(source, i, "/*"))
            {
                int end = source.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? source.Length : end + 2;
            }
            else if (RawStringStart().Match(source, i) is { Success: true } raw && raw.Index == i)
            {
                string quotes = raw.Groups["q"].Value;
                int end = source.IndexOf(quotes, i + raw.Length, StringComparison.Ordinal);
                i = end < 0 ? source.Length : end + quotes.Length;
            }
            else if (VerbatimStringStart().Match(source, i) is { Success: true } verbatim && verbatim.Index == i)
            {
                i += verbatim.Length;
                while (i < source.Length && !(source[i] == '"' && !At(source, i, "\"\"")))
                {
                    i += At(source, i, "\"\"") ? 2 : 1;
                }

                i++;
            }
            else if (RegularStringStart().Match(source, i) is { Success: true } regular && regular.Index == i)
            {
                i = SkipQuoted(source, i + regular.Length, '"');
            }
            else if (source[i] == '\'')
            {
                i = SkipQuoted(source, i + 1, '\'');
            }
            else
            {
                i++;
                continue;
            }

            for (int j = start; j < Math.Min(i, source.Length); j++)
            {
                if (code[j] != '\n')
                {
                    code[j] = ' ';
                }
            }
        }

        return code.ToString();
    }

    private static int SkipQuoted(string source, int i, char quote)
    {
        while (i < source.Length && source[i] != quote && source[i] != '\n')
        {
            i += source[i] == '\\' ? 2 : 1;
        }

        return i + 1;
    }

    private static bool At(string source, int index, string text) => string.CompareOrdinal(source, index, text, 0, text.Length) == 0;

    [GeneratedRegex(@"\bawait\s+")]
    private static partial Regex AwaitKeyword();

    [GeneratedRegex(@"(using|foreach)\s*\(")]
    private static partial Regex BlockKeyword();

    [GeneratedRegex(@"\$*(?<q>""{3,})")]
    private static partial Regex RawStringStart();

    [GeneratedRegex(@"(\$@|@\$|@)""")]
    private static partial Regex VerbatimStringStart();

    [GeneratedRegex(@"\$?""")]
    private static partial Regex RegularStringStart();
}

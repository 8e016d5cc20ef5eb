namespace ImageVolumeCache.Sample;

/// <summary>
/// The <c>--ImageVolumeCache:KEY VALUE</c> (or <c>--ImageVolumeCache:KEY=VALUE</c>) arguments: keys of the cache's
/// configuration section set from the command line. They are taken out before the sample's own options are parsed,
/// since their names are open-ended; the cache's options validation checks their values when the host starts.
/// </summary>
internal sealed class CacheConfigurationArguments
{
    public const string Prefix = "--ImageVolumeCache:";

    private CacheConfigurationArguments(IReadOnlyList<string> rest, IReadOnlyDictionary<string, string?> settings, IReadOnlyList<string> errors)
    {
        Rest = rest;
        Settings = settings;
        Errors = errors;
    }

    /// <summary>The arguments left for the sample's own options.</summary>
    public IReadOnlyList<string> Rest { get; }

    /// <summary>The configuration keys (<c>ImageVolumeCache:…</c>) and their values.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; }

    /// <summary>One message for each key without a value.</summary>
    public IReadOnlyList<string> Errors { get; }

    public static CacheConfigurationArguments Split(IReadOnlyList<string> args)
    {
        var rest = new List<string>();
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var errors = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            {
                rest.Add(arg);
                continue;
            }

            int equals = arg.IndexOf('=', StringComparison.Ordinal);
            string key = equals >= 0 ? arg[2..equals] : arg[2..];
            if (key.Length <= Prefix.Length - 2 || key.EndsWith(':'))
            {
                errors.Add($"{arg} names no key: {Prefix}KEY VALUE.");
            }
            else if (equals >= 0)
            {
                settings[key] = arg[(equals + 1)..];
            }
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                settings[key] = args[++i];
            }
            else
            {
                errors.Add($"{arg} needs a value: {Prefix}KEY VALUE.");
            }
        }

        return new CacheConfigurationArguments(rest, settings, errors);
    }
}

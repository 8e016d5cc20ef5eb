using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;

namespace ImageVolumeCache.Configuration;

/// <summary>
/// A read-only view of a configuration in which some keys, and everything below them, are absent; the binder reads
/// the rest of the section through it.
/// </summary>
internal sealed class ConfigurationWithoutKeys : IConfigurationSection
{
    private readonly IConfiguration _inner;
    private readonly IReadOnlySet<string> _absent;
    private readonly bool _isAbsent;

    /// <param name="inner">The configuration to read.</param>
    /// <param name="absent">Full paths of the keys to leave out, compared without regard to case.</param>
    public ConfigurationWithoutKeys(IConfiguration inner, IReadOnlySet<string> absent)
        : this(inner, absent, parentIsAbsent: false)
    {
    }

    private ConfigurationWithoutKeys(IConfiguration inner, IReadOnlySet<string> absent, bool parentIsAbsent)
    {
        _inner = inner;
        _absent = absent;
        _isAbsent = parentIsAbsent || (inner is IConfigurationSection section && absent.Contains(section.Path));
    }

    public string Key => (_inner as IConfigurationSection)?.Key ?? string.Empty;

    public string Path => (_inner as IConfigurationSection)?.Path ?? string.Empty;

    public string? Value
    {
        get => _isAbsent ? null : (_inner as IConfigurationSection)?.Value;
        set => throw new NotSupportedException("This view of the configuration is read-only.");
    }

    public string? this[string key]
    {
        get => GetSection(key).Value;
        set => throw new NotSupportedException("This view of the configuration is read-only.");
    }

    public IConfigurationSection GetSection(string key) => new ConfigurationWithoutKeys(_inner.GetSection(key), _absent, _isAbsent);

    public IEnumerable<IConfigurationSection> GetChildren() => _isAbsent
        ? []
        : _inner.GetChildren().Where(child => !_absent.Contains(child.Path)).Select(child => new ConfigurationWithoutKeys(child, _absent, parentIsAbsent: false));

    public IChangeToken GetReloadToken() => _inner.GetReloadToken();
}

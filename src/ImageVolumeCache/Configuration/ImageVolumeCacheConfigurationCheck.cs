using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace ImageVolumeCache.Configuration;

/// <summary>
/// Walks the cache's configuration section against the shape of <see cref="ImageVolumeCacheOptions"/>, as the
/// configuration binder reads it (keys without regard to case), and finds what binding alone would get wrong: a value
/// the binder cannot convert (it throws at the first one, or, inside <c>Backends</c>, silently drops the whole backend)
/// and keys that no option reads (the binder ignores them). Binding then leaves all of those out, so that validation
/// reports every one of them next to the other rules.
/// </summary>
internal sealed class ImageVolumeCacheConfigurationCheck
{
    private readonly List<string> _badValues = [];
    private readonly List<UnknownConfigurationKey> _unknownKeys = [];
    private readonly HashSet<string> _leftOut = new(StringComparer.OrdinalIgnoreCase);

    private ImageVolumeCacheConfigurationCheck()
    {
    }

    /// <summary>A message, naming the full key and its value, for each value that cannot be read as its option's type.</summary>
    public IReadOnlyList<string> BadValues => _badValues;

    /// <summary>The keys no option reads, each reported once at its highest level (<c>Backend</c>, not <c>Backend:host1@lvm:MaxCount</c>).</summary>
    public IReadOnlyList<UnknownConfigurationKey> UnknownKeys => _unknownKeys;

    /// <summary>
    /// Checks the section (or, when the whole configuration is bound, the options' own top-level keys: the others belong
    /// to the host).
    /// </summary>
    public static ImageVolumeCacheConfigurationCheck Run(IConfiguration configuration)
    {
        var check = new ImageVolumeCacheConfigurationCheck();
        if (configuration is IConfigurationSection section)
        {
            check.Walk(section, typeof(ImageVolumeCacheOptions));
        }
        else
        {
            check.WalkProperties(configuration, typeof(ImageVolumeCacheOptions), reportUnknown: false);
        }

        return check;
    }

    /// <summary>Binds the options from every key of the section but the bad values and unknown keys, which validation reports.</summary>
    public static void Bind(IConfiguration configuration, ImageVolumeCacheOptions options)
    {
        ImageVolumeCacheConfigurationCheck check = Run(configuration);
        IConfiguration source = check._leftOut.Count == 0 ? configuration : new ConfigurationWithoutKeys(configuration, check._leftOut);
        source.Bind(options);
    }

    private void Walk(IConfigurationSection section, Type type)
    {
        if (IsScalar(type))
        {
            CheckValue(section, type);
            return;
        }

        if (!string.IsNullOrEmpty(section.Value))
        {
            string expected = ItemType(type) is null || DictionaryValueType(type) is not null
                ? "a section of settings"
                : "a list, with one key per item (0, 1, ...)";
            AddBadValue(section, expected);
            return;
        }

        if ((DictionaryValueType(type) ?? ItemType(type)) is Type elementType)
        {
            foreach (IConfigurationSection child in section.GetChildren())
            {
                Walk(child, elementType);
            }

            return;
        }

        WalkProperties(section, type, reportUnknown: true);
    }

    private void WalkProperties(IConfiguration configuration, Type type, bool reportUnknown)
    {
        Dictionary<string, PropertyInfo> settings = SettingsOf(type);
        foreach (IConfigurationSection child in configuration.GetChildren())
        {
            if (settings.TryGetValue(child.Key, out PropertyInfo? property))
            {
                Walk(child, property.PropertyType);
            }
            else if (reportUnknown)
            {
                _unknownKeys.Add(new UnknownConfigurationKey(child.Path, string.Join(", ", settings.Keys.Order(StringComparer.Ordinal))));
                _leftOut.Add(child.Path);
            }
        }
    }

    private void CheckValue(IConfigurationSection section, Type type)
    {
        string[] below = section.GetChildren().Select(child => child.Key).ToArray();
        if (below.Length > 0)
        {
            _badValues.Add($"{section.Path} must be a single value, but has keys below it: {string.Join(", ", below)}.");
            _leftOut.Add(section.Path);
            return;
        }

        if (section.Value is null)
        {
            return;
        }

        try
        {
            // The binder's own conversion, so that what passes here binds.
            section.Get(type);
        }
        catch (InvalidOperationException)
        {
            AddBadValue(section, Describe(type));
        }
    }

    private void AddBadValue(IConfigurationSection section, string expected)
    {
        _badValues.Add($"{section.Path} must be {expected}, but was '{section.Value}'.");
        _leftOut.Add(section.Path);
    }

    /// <summary>The properties the binder sets, by configuration key: settable ones, and get-only ones it binds into.</summary>
    private static Dictionary<string, PropertyInfo> SettingsOf(Type type)
    {
        var settings = new Dictionary<string, PropertyInfo>(StringComparer.OrdinalIgnoreCase);
        foreach (PropertyInfo property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetMethod?.IsPublic == true &&
                property.GetIndexParameters().Length == 0 &&
                (property.SetMethod?.IsPublic == true || !IsScalar(property.PropertyType)))
            {
                string key = property.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? property.Name;
                settings[key] = property;
            }
        }

        return settings;
    }

    private static bool IsScalar(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type == typeof(string) || TypeDescriptor.GetConverter(type).CanConvertFrom(typeof(string));
    }

    private static Type? DictionaryValueType(Type type) => GenericArgument(type, typeof(IDictionary<,>), 1);

    private static Type? ItemType(Type type) => GenericArgument(type, typeof(IEnumerable<>), 0);

    private static Type? GenericArgument(Type type, Type openInterface, int index)
    {
        Type? match = type.IsInterface && type.IsGenericType && type.GetGenericTypeDefinition() == openInterface
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == openInterface);
        return match?.GenericTypeArguments[index];
    }

    private static string Describe(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type switch
        {
            _ when type == typeof(int) => string.Create(CultureInfo.InvariantCulture, $"a whole number from {int.MinValue} to {int.MaxValue}"),
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(TimeSpan) => "a duration as [d.]hh:mm:ss[.fffffff]",
            { IsEnum: true } => $"one of {string.Join(", ", Enum.GetNames(type))}",
            _ => $"a value of type {type.Name}",
        };
    }
}

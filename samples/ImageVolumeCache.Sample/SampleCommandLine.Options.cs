using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Npgsql;

namespace ImageVolumeCache.Sample;

/// <summary>
/// The kinds of option the sample has. Each parses and checks its value and, when it is bad, says so in one form:
/// <c>--OPTION: 'VALUE' RULE.</c>, naming only the rule it breaks.
/// </summary>
internal sealed partial class SampleCommandLine
{
    private static Option<int> WholeNumber(string name, int minimum, int defaultValue, string description) => new(name)
    {
        HelpName = "N",
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            string value = Value(result);
            return !long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long number) ? Refuse(result, name, value, "is not a whole number", defaultValue)
                : number < minimum ? Refuse(result, name, value, $"is too small: it must be at least {minimum}", defaultValue)
                : number > int.MaxValue ? Refuse(result, name, value, $"is too large: it must be at most {int.MaxValue}", defaultValue)
                : (int)number;
        },
    };

    /// <summary>
    /// A switch: alone it means true; it takes <c>true</c> or <c>false</c> too, as the sample's options always did. Its
    /// value is <see cref="bool.TrueString"/> or <see cref="bool.FalseString"/> (see <see cref="IsOn"/>): a string, since
    /// System.CommandLine leaves a word other than true or false after a <see cref="bool"/> option unmatched, and its
    /// message would not name the option.
    /// </summary>
    private static Option<string> Flag(string name, string description) => new(name)
    {
        HelpName = "true|false",
        Description = description + " Alone, it means true.",
        Arity = ArgumentArity.ZeroOrOne,
        CustomParser = result =>
        {
            string value = Value(result);
            return result.Tokens.Count == 0 ? bool.TrueString
                : bool.TryParse(value, out bool on) ? on.ToString()
                : Refuse<string?>(result, name, value, "is not true or false", null);
        },
    };

    private static bool IsOn(ParseResult parse, Option<string> flag) => parse.GetValue(flag) == bool.TrueString;

    /// <summary>One of <paramref name="choices"/>, in any case; the value is the choice in lower case.</summary>
    private static Option<string> Choice(string name, IReadOnlyList<string> choices, string description) => new(name)
    {
        HelpName = string.Join('|', choices),
        Description = description,
        CustomParser = result =>
        {
            string value = Value(result);
            string choice = value.Trim().ToLowerInvariant();
            return choices.Contains(choice) ? choice : Refuse<string?>(result, name, value, $"is not one of {string.Join(", ", choices)}", null);
        },
    };

    /// <summary>A path, made a full path (relative to the working directory).</summary>
    private static Option<string> FullPath(string name, string helpName, string description) => new(name)
    {
        HelpName = helpName,
        Description = description,
        CustomParser = result => ToFullPath(result, name),
    };

    /// <summary>A file that exists, checked before anything is printed or made; the value is its full path.</summary>
    private static Option<string> ExistingFile(string name, string description) => new(name)
    {
        HelpName = "PATH",
        Description = description,
        CustomParser = result =>
        {
            string? path = ToFullPath(result, name);
            return path is null || File.Exists(path) ? path
                : Directory.Exists(path) ? Refuse<string?>(result, name, Value(result), "is a folder, not a file", null)
                : Refuse<string?>(result, name, Value(result), "does not exist", null);
        },
    };

    /// <summary>
    /// An Npgsql connection string; a blank one counts as none given (the command's check asks for one with
    /// <c>--store postgres</c>). A bad one is not echoed: it may hold a password.
    /// </summary>
    private static Option<string> ConnectionString(string name, string description) => new(name)
    {
        HelpName = "STRING",
        Description = description,
        CustomParser = result =>
        {
            string value = Value(result).Trim();
            try
            {
                _ = new NpgsqlConnectionStringBuilder(value);
                return value;
            }
            catch (ArgumentException ex)
            {
                result.AddError($"{name}: not an Npgsql connection string: {ex.Message}");
                return null;
            }
        },
    };

    /// <summary>An absolute http or https URL.</summary>
    private static Option<string> HttpUrl(string name, string description) => new(name)
    {
        HelpName = "URL",
        Description = description,
        CustomParser = result =>
        {
            string value = Value(result).Trim();
            return Uri.TryCreate(value, UriKind.Absolute, out Uri? url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)
                ? url.AbsoluteUri
                : Refuse<string?>(result, name, value, "is not an http or https URL", null);
        },
    };

    /// <summary>A word that is not blank.</summary>
    private static Option<string> Text(string name, string helpName, string description) => new(name)
    {
        HelpName = helpName,
        Description = description,
        CustomParser = result =>
        {
            string value = Value(result).Trim();
            return value.Length > 0 ? value : Refuse<string?>(result, name, value, "is blank", null);
        },
    };

    private static string? ToFullPath(ArgumentResult result, string name)
    {
        string value = Value(result);
        if (string.IsNullOrWhiteSpace(value))
        {
            return Refuse<string?>(result, name, value, "is not a path", null);
        }

        try
        {
            return Path.GetFullPath(value);
        }
        catch (ArgumentException)
        {
            return Refuse<string?>(result, name, value, "is not a valid path", null);
        }
    }

    /// <summary>The option's value as typed; empty when it has none (the parser has then said that it needs one).</summary>
    private static string Value(ArgumentResult result) => result.Tokens.Count == 0 ? string.Empty : result.Tokens[^1].Value;

    private static T Refuse<T>(ArgumentResult result, string name, string value, string rule, T fallback)
    {
        result.AddError($"{name}: '{value}' {rule}.");
        return fallback;
    }
}

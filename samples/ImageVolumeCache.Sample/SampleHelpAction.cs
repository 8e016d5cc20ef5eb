using System.CommandLine;
using System.CommandLine.Invocation;

namespace ImageVolumeCache.Sample;

/// <summary>
/// <c>--help</c>: System.CommandLine's usage text, then what it cannot list: the cache's configuration keys the command
/// line may set, and the exit codes. Runs nothing and writes nothing to the data folder.
/// </summary>
internal sealed class SampleHelpAction(SynchronousCommandLineAction usage) : SynchronousCommandLineAction
{
    public override int Invoke(ParseResult parseResult)
    {
        usage.Invoke(parseResult);
        TextWriter output = parseResult.InvocationConfiguration.Output;
        output.WriteLine("Cache configuration:");
        output.WriteLine($"  {CacheConfigurationArguments.Prefix}KEY VALUE");
        output.WriteLine("      Sets KEY of the ImageVolumeCache section of appsettings.json (beside the sample), for example");
        output.WriteLine($"      {CacheConfigurationArguments.Prefix}Backends:{SampleOptions.Backend}:MaxCount 1; the cache checks it when it starts.");
        output.WriteLine();
        output.WriteLine("Exit codes:");
        foreach ((int code, string meaning) in ExitCodes.Described)
        {
            output.WriteLine($"  {code,-5}{meaning}");
        }

        return ExitCodes.Success;
    }
}

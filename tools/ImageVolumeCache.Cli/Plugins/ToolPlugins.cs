using System.Reflection;
using System.Runtime.Loader;
using ImageVolumeCache.Cli.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ImageVolumeCache.Cli.Plugins;

/// <summary>
/// The plug-in hook: a plug-in is an assembly (built against the ImageVolumeCache packages) with one public static method
/// <c>ConfigureImageVolumeCacheTool(IImageVolumeCacheBuilder builder, IConfiguration configuration)</c> on a public
/// static class. ivc calls it once, after its own registrations, with the whole configuration; it adds the host's
/// backends (<c>AddBackend</c>) and, when the host has one, its image service, as the host does at start-up. The
/// assembly is loaded beside ivc's own ImageVolumeCache assemblies, so the plug-in shares their types; its other
/// dependencies are loaded from its folder.
/// </summary>
internal static class ToolPlugins
{
    public const string HookName = "ConfigureImageVolumeCacheTool";

    public static void Configure(IImageVolumeCacheBuilder builder, IConfiguration configuration, IEnumerable<string> assemblyPaths)
    {
        foreach (string path in assemblyPaths)
        {
            MethodInfo hook = FindHook(Load(path), path);
            try
            {
                hook.Invoke(null, [builder, configuration]);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                throw new ToolUsageException($"The plug-in '{path}' failed to register its services: {ex.InnerException.Message}");
            }
        }
    }

    private static Assembly Load(string path)
    {
        string folder = Path.GetDirectoryName(path)!;
        AssemblyLoadContext.Default.Resolving += (context, name) =>
        {
            // ivc's own assemblies (ImageVolumeCache, Microsoft.Extensions) are found first; only the rest come from here.
            string candidate = Path.Combine(folder, name.Name + ".dll");
            return File.Exists(candidate) ? context.LoadFromAssemblyPath(candidate) : null;
        };
        try
        {
            return AssemblyLoadContext.Default.LoadFromAssemblyPath(path);
        }
        catch (Exception ex) when (ex is BadImageFormatException or FileLoadException)
        {
            throw new ToolUsageException($"The plug-in '{path}' is not a .NET assembly ivc can load: {ex.Message}");
        }
    }

    private static MethodInfo FindHook(Assembly assembly, string path)
    {
        Type[] types;
        try
        {
            types = assembly.GetExportedTypes();
        }
        catch (Exception ex) when (ex is ReflectionTypeLoadException or FileNotFoundException or FileLoadException)
        {
            throw new ToolUsageException($"The plug-in '{path}' cannot be loaded: {ex.Message}");
        }

        MethodInfo[] hooks =
        [
            .. types
                .Where(t => t.IsAbstract && t.IsSealed)
                .Select(t => t.GetMethod(HookName, BindingFlags.Public | BindingFlags.Static, [typeof(IImageVolumeCacheBuilder), typeof(IConfiguration)]))
                .OfType<MethodInfo>()
                .Where(m => m.ReturnType == typeof(void)),
        ];
        return hooks.Length switch
        {
            1 => hooks[0],
            0 => throw new ToolUsageException(
                $"The plug-in '{path}' has no public static void {HookName}(IImageVolumeCacheBuilder builder, IConfiguration configuration) on a public static class."),
            _ => throw new ToolUsageException(
                $"The plug-in '{path}' has {hooks.Length} {HookName} methods ({string.Join(", ", hooks.Select(h => h.DeclaringType!.FullName))}); it must have one."),
        };
    }
}

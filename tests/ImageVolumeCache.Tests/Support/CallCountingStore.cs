using System.Collections.Concurrent;
using System.Reflection;

namespace ImageVolumeCache.Tests.Support;

/// <summary>An entry store that passes every call on to another and counts the calls by method name.</summary>
public class CallCountingStore : DispatchProxy
{
    private ICacheEntryStore _inner = null!;

    /// <summary>The calls made so far, by method name.</summary>
    public ConcurrentDictionary<string, int> Calls { get; } = new(StringComparer.Ordinal);

    /// <summary>Wraps a store; the wrapper is an <see cref="ICacheEntryStore"/> and nothing else (no coordination).</summary>
    public static (ICacheEntryStore Store, CallCountingStore Counter) Wrap(ICacheEntryStore inner)
    {
        ICacheEntryStore proxy = Create<ICacheEntryStore, CallCountingStore>();
        var counter = (CallCountingStore)(object)proxy;
        counter._inner = inner;
        return (proxy, counter);
    }

    /// <summary>How many times a method was called.</summary>
    public int CountOf(string method) => Calls.GetValueOrDefault(method);

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        Calls.AddOrUpdate(targetMethod.Name, 1, (_, n) => n + 1);
        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            throw ex.InnerException;
        }
    }
}

namespace ImageVolumeCache.PostgreSql.Tests.Support;

/// <summary>The <see cref="CacheEntryStoreException"/> a call throws, or <see langword="null"/> when it succeeds.</summary>
internal static class StoreFailures
{
    public static async Task<CacheEntryStoreException?> OfAsync(Func<ValueTask> call)
    {
        try
        {
            await call();
            return null;
        }
        catch (CacheEntryStoreException ex)
        {
            return ex;
        }
    }

    public static Task<CacheEntryStoreException?> OfAsync<T>(Func<ValueTask<T>> call) => OfAsync(async () => { await call(); });
}

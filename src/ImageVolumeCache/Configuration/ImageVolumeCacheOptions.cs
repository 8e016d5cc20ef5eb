namespace ImageVolumeCache;

/// <summary>
/// Options of the image-volume cache, bound from the <c>ImageVolumeCache</c> configuration section. Validated at
/// start-up: a bad value fails with an <see cref="Microsoft.Extensions.Options.OptionsValidationException"/> naming its key.
/// </summary>
public sealed class ImageVolumeCacheOptions
{
    /// <summary>The project and user that own every cache volume. When both are unset the cache is off for every backend.</summary>
    public InternalTenantOptions InternalTenant { get; set; } = new();

    /// <summary>The cache settings of every backend that does not set its own. Default: enabled, unlimited.</summary>
    public CacheDefaultsOptions Defaults { get; set; } = new();

    /// <summary>Per-backend settings, keyed by backend name (<c>host@backend</c>); a value set here overrides <see cref="Defaults"/>.</summary>
    public IDictionary<string, BackendCacheOptions> Backends { get; } = new Dictionary<string, BackendCacheOptions>(StringComparer.Ordinal);

    /// <summary>
    /// The URL schemes of image locations the pipeline may clone from directly. With <c>cinder</c> in the list, an image whose
    /// location is <c>cinder://&lt;volume-id&gt;</c> is made by cloning that volume. Default empty (as in Cinder).
    /// </summary>
    public IList<string> AllowedDirectUrlSchemes { get; } = new List<string>();

    /// <summary>
    /// How long a download may go without receiving a byte of image data before it is aborted and started over (see
    /// <see cref="DownloadRetries"/>). The clock runs from opening the image until its last byte is read. Must be from
    /// 1 millisecond to 49.17:02:47.294 (the longest a timer waits, <see cref="uint.MaxValue"/> - 1 milliseconds).
    /// Default 60 seconds.
    /// </summary>
    public TimeSpan DownloadStallTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How many times a stalled download is started over, into the same volume, before the request fails with
    /// <see cref="ImageDownloadStalledException"/>. 0 means never. Must be 0 or more. Default 2.
    /// </summary>
    public int DownloadRetries { get; set; } = 2;

    /// <summary>
    /// How long a fill lease, a pin, a removal mark and a scope's lock last in the store's coordination unless renewed
    /// (fill leases and pins are renewed every third of it while held). Another process or host takes over a fill whose
    /// lease ran out, and may evict an entry whose pins ran out, so this bounds how long a crashed holder delays the
    /// others. Must be from 1 second to 1 day. Default 30 seconds.
    /// </summary>
    public TimeSpan FillLeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a request waits for a fill (or a scope's lock) that another process or host holds before it makes its
    /// volume without the cache. Must be from 0 (never wait) to 1 day. Default 10 minutes.
    /// </summary>
    public TimeSpan FillLeaseWaitTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long this process keeps its pin on an entry in the store's coordination after its last clone from the entry
    /// ended, so that the next hit joins the pin instead of writing a new one and its release (a hit in steady state then
    /// writes nothing to the store). Meanwhile no other process or host evicts the entry; this process's own removals give
    /// an idle pin back at once. <see cref="TimeSpan.Zero"/> gives each pin back with its last clone. Must be from 0 to 1
    /// minute. Default 1 second.
    /// </summary>
    public TimeSpan PinLinger { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Whether a hosted service reconciles every enabled backend when the host starts
    /// (<see cref="IImageVolumeCache.ReconcileAsync"/>): entries of lost volumes are removed, cache volumes left without
    /// an entry by a crash are adopted or deleted. A driver failure is logged and does not stop the host; an unreadable
    /// entry store does. Default <see langword="true"/>.
    /// </summary>
    public bool ReconcileOnStartup { get; set; } = true;

    /// <summary>
    /// What start-up does with a key of the configuration section that no option reads: <see cref="UnknownKeyHandling.Error"/>
    /// fails validation naming each such key; <see cref="UnknownKeyHandling.Warn"/> logs each one and ignores it. A value
    /// that cannot be read as its option's type fails validation either way. Has no effect on options set in code.
    /// Default <see cref="UnknownKeyHandling.Error"/>.
    /// </summary>
    public UnknownKeyHandling UnknownKeys { get; set; } = UnknownKeyHandling.Error;

    /// <summary>
    /// How often a hosted service trims the cache: evicts what exceeds each scope's limits (reason <c>trim</c>), what went
    /// unused longer than <c>MaxIdle</c> (<c>idle</c>), and the entries of images the image service deleted
    /// (<c>image_deleted</c>) or changed (<c>stale</c>). It also runs at once when the configuration is reloaded, so a
    /// lowered limit applies at once. <see cref="TimeSpan.Zero"/> runs it only on reloads. From 0 to 1 day; default 10 minutes.
    /// </summary>
    public TimeSpan TrimInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How many cached images a trim checks against the image service (each one call), taking the next ones on the next
    /// trim, so that a deleted image's data does not linger; 0 checks none. Must be 0 or more; default 100.
    /// </summary>
    public int ImageChecksPerTrim { get; set; } = 100;

    /// <summary>
    /// How often a hosted service asks the image service about each backend's <see cref="BackendCacheOptions.WarmImages"/>
    /// (through the <see cref="TimeProvider"/>): an image whose <c>updated_at</c> changed is warmed in its new version and
    /// the old entry retired once no clone uses it. It also warms at start-up and on every configuration reload.
    /// <see cref="TimeSpan.Zero"/> polls only then. From 0 to 1 day; default 5 minutes.
    /// </summary>
    public TimeSpan WarmPollInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How images that are not raw are downloaded and converted with <c>qemu-img</c>: scratch space and limits.</summary>
    public DiskImageConversionOptions Conversion { get; set; } = new();
}

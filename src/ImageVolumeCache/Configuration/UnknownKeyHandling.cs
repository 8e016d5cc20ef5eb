namespace ImageVolumeCache;

/// <summary>
/// What start-up does with a key of the cache's configuration section that no option reads (a misspelling such as
/// <c>MaxCont</c>, or a key in the wrong place). Set with <see cref="ImageVolumeCacheOptions.UnknownKeys"/>.
/// </summary>
public enum UnknownKeyHandling
{
    /// <summary>Each unknown key fails validation with an <see cref="Microsoft.Extensions.Options.OptionsValidationException"/> naming it.</summary>
    Error = 0,

    /// <summary>Each unknown key is logged as a warning (event id 1050) and ignored.</summary>
    Warn = 1,
}

namespace ImageVolumeCache.Testing;

/// <summary>One call made to an <see cref="InMemoryVolumeDriver"/>.</summary>
/// <param name="Operation">The operation.</param>
/// <param name="VolumeId">The volume the call makes or acts on.</param>
/// <param name="SourceVolumeId">The source of a clone, else <see langword="null"/>.</param>
/// <param name="SizeGb">The size asked for (create, clone, extend), else 0.</param>
public sealed record DriverCall(DriverOperation Operation, string VolumeId, string? SourceVolumeId = null, int SizeGb = 0);

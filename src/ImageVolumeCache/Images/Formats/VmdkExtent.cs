namespace ImageVolumeCache.Images.Formats;

/// <summary>One extent line of a VMDK descriptor: <c>RW 131072 SPARSE "disk.vmdk"</c>; <see cref="FileName"/> is null for a ZERO extent.</summary>
internal sealed record VmdkExtent(string Type, string? FileName);

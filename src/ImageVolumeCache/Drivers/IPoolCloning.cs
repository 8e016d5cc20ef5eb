namespace ImageVolumeCache;

/// <summary>
/// A capability an <see cref="IVolumeDriver"/> may add: cloning a volume of one pool of its backend into another pool of
/// the same backend (<c>host@backend#pool-a</c> into <c>host@backend#pool-b</c>), as Cinder's <c>clone_across_pools</c>
/// lets a backend say. With <see cref="BackendCacheOptions.CloneAcrossPools"/> on, a cache lookup that finds no entry in
/// the request's own pool may clone an entry of another pool of the backend when this says it can. A driver that does
/// not implement it never gets a cross-pool clone.
/// </summary>
public interface IPoolCloning
{
    /// <summary>Whether <see cref="IVolumeDriver.CloneVolumeAsync"/> can make a volume in one pool from a volume in another.</summary>
    /// <param name="sourcePool">The pool of the source volume: the part of its host after <c>#</c>; empty when its host names no pool.</param>
    /// <param name="targetPool">The pool of the volume to make, the same way.</param>
    /// <returns><see langword="true"/> when the clone works between the two pools. Must not block or throw: it is asked during a lookup.</returns>
    bool CanCloneBetweenPools(string sourcePool, string targetPool);
}

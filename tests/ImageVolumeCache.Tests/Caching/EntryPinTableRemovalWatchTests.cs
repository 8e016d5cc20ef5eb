using ImageVolumeCache.Caching;

namespace ImageVolumeCache.Tests.Caching;

/// <summary>
/// The removal watch lets a pin skip its second store look-up only when no entry removal can have overlapped the
/// look-up that found the entry.
/// </summary>
public sealed class EntryPinTableRemovalWatchTests
{
    [Test]
    public void A_watch_with_no_removal_since_needs_no_second_look_up()
    {
        var pins = new EntryPinTable();
        RemovalWatch watch = pins.WatchRemovals();

        Assert.That(pins.TryPin(1), Is.True);
        Assert.That(pins.NoRemovalSince(watch), Is.True);
    }

    [Test]
    public void An_eviction_that_starts_after_the_watch_needs_a_second_look_up()
    {
        var pins = new EntryPinTable();
        RemovalWatch watch = pins.WatchRemovals();

        Assert.That(pins.TryBeginEviction(2), Is.True);
        pins.EndEviction(2);

        Assert.That(pins.NoRemovalSince(watch), Is.False);
    }

    [Test]
    public void An_eviction_under_way_when_the_watch_is_taken_needs_a_second_look_up_even_after_it_ends()
    {
        var pins = new EntryPinTable();
        Assert.That(pins.TryBeginEviction(1), Is.True);
        RemovalWatch watch = pins.WatchRemovals();
        pins.EndEviction(1);

        Assert.That(pins.TryPin(1), Is.True, "the eviction is over, so the pin is taken");
        Assert.That(pins.NoRemovalSince(watch), Is.False, "but the entry may have left the store before the pin");
    }

    [Test]
    public void A_refused_eviction_is_not_a_removal()
    {
        var pins = new EntryPinTable();
        Assert.That(pins.TryPin(1), Is.True);
        RemovalWatch watch = pins.WatchRemovals();

        Assert.That(pins.TryBeginEviction(1), Is.False);

        Assert.That(pins.NoRemovalSince(watch), Is.True);
    }

    [Test]
    public void A_removal_counts_until_its_entry_is_out_of_the_store()
    {
        var pins = new EntryPinTable();
        Assert.That(pins.TryPin(1), Is.True);
        pins.BeginRemoval();
        RemovalWatch during = pins.WatchRemovals();
        pins.EndRemoval();
        RemovalWatch after = pins.WatchRemovals();

        Assert.That(pins.NoRemovalSince(during), Is.False);
        Assert.That(pins.NoRemovalSince(after), Is.True);
    }

    [Test]
    public void A_removal_by_the_volume_delete_hook_needs_a_second_look_up()
    {
        var pins = new EntryPinTable();
        RemovalWatch watch = pins.WatchRemovals();

        pins.BeginRemoval();
        pins.EndRemoval();

        Assert.That(pins.NoRemovalSince(watch), Is.False);
    }
}

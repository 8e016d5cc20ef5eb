namespace ImageVolumeCache.Storage;

/// <summary>
/// One scope's entries in least-recently-used order (last use, then id), with their count and total size, for
/// <see cref="InMemoryCacheEntryStore"/>. Entries almost always arrive in order, because the cache stamps them with its
/// own clock: those go to the end of a linked list, and a touch moves an entry to its end, both O(1) with no search.
/// An entry stamped earlier than the newest one (a clock set back, an entry added with an old time) goes to a sorted
/// set instead, O(log n); the oldest entries are the merge of the two.
/// </summary>
internal sealed class LruIndex
{
    private Node? _head;
    private Node? _tail;
    private SortedSet<Node>? _outOfOrder;

    public int Count { get; private set; }

    public long SizeGb { get; private set; }

    public void Add(Node node)
    {
        Count++;
        SizeGb += node.Entry.SizeGb;
        Insert(node);
    }

    public void Remove(Node node)
    {
        Count--;
        SizeGb -= node.Entry.SizeGb;
        Detach(node);
    }

    /// <summary>Gives an entry a new last use and moves it to its place in the order.</summary>
    public void Touch(Node node, ImageCacheEntry touched)
    {
        Detach(node);
        node.Entry = touched;
        Insert(node);
    }

    /// <summary>The oldest entries, at most <paramref name="maxCount"/>, oldest first.</summary>
    public ImageCacheEntry[] Oldest(int maxCount)
    {
        var result = new ImageCacheEntry[Math.Min(maxCount, Count)];
        if (_outOfOrder is null)
        {
            Node? node = _head;
            for (int i = 0; i < result.Length; i++, node = node!.Next)
            {
                result[i] = node!.Entry;
            }

            return result;
        }

        using IEnumerator<ImageCacheEntry> merged = InOrder().GetEnumerator();
        for (int i = 0; i < result.Length && merged.MoveNext(); i++)
        {
            result[i] = merged.Current;
        }

        return result;
    }

    /// <summary>Every entry, oldest first: the list and the sorted set merged.</summary>
    public IEnumerable<ImageCacheEntry> InOrder()
    {
        Node? listed = _head;
        using SortedSet<Node>.Enumerator sorted = (_outOfOrder ?? []).GetEnumerator();
        Node? next = sorted.MoveNext() ? sorted.Current : null;
        while (listed is not null || next is not null)
        {
            if (next is null || (listed is not null && Compare(listed, next) < 0))
            {
                yield return listed!.Entry;
                listed = listed.Next;
            }
            else
            {
                yield return next.Entry;
                next = sorted.MoveNext() ? sorted.Current : null;
            }
        }
    }

    private void Insert(Node node)
    {
        if (_tail is null || Compare(_tail, node) < 0)
        {
            node.Previous = _tail;
            node.Next = null;
            if (_tail is null)
            {
                _head = node;
            }
            else
            {
                _tail.Next = node;
            }

            _tail = node;
            node.Listed = true;
            return;
        }

        (_outOfOrder ??= new SortedSet<Node>(NodeComparer.Instance)).Add(node);
        node.Listed = false;
    }

    private void Detach(Node node)
    {
        if (!node.Listed)
        {
            _outOfOrder!.Remove(node);
            if (_outOfOrder.Count == 0)
            {
                _outOfOrder = null;
            }

            return;
        }

        if (node.Previous is null)
        {
            _head = node.Next;
        }
        else
        {
            node.Previous.Next = node.Next;
        }

        if (node.Next is null)
        {
            _tail = node.Previous;
        }
        else
        {
            node.Next.Previous = node.Previous;
        }

        node.Previous = null;
        node.Next = null;
    }

    private static int Compare(Node x, Node y)
    {
        int byTime = x.Entry.LastUsed.UtcTicks.CompareTo(y.Entry.LastUsed.UtcTicks);
        return byTime != 0 ? byTime : x.Entry.Id.CompareTo(y.Entry.Id);
    }

    /// <summary>An entry as the store holds it: every index points at the node, so a touch replaces the entry in one place.</summary>
    internal sealed class Node(ImageCacheEntry entry, LruIndex scope)
    {
        public ImageCacheEntry Entry { get; set; } = entry;

        /// <summary>The index of the entry's scope; another when the entry moves to another scope.</summary>
        public LruIndex Scope { get; set; } = scope;

        public Node? Previous { get; set; }

        public Node? Next { get; set; }

        /// <summary>Whether the node is in the linked list (else in the sorted set).</summary>
        public bool Listed { get; set; }
    }

    /// <summary>Orders entries by last use, then id: the order every store returns eviction candidates in.</summary>
    private sealed class NodeComparer : IComparer<Node>
    {
        public static readonly NodeComparer Instance = new();

        public int Compare(Node? x, Node? y) => LruIndex.Compare(x!, y!);
    }
}

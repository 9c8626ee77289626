using System.Buffers.Binary;

namespace OrleansRaft.Etcd.Snapshots;

/// <summary>
/// Writes a bbolt database file (format version 2, as etcd's backend keeps it): two meta pages, an empty freelist, a
/// root bucket page, and per bucket one leaf page, or leaf pages under one branch page when a bucket holds more
/// entries than one page can count. A page larger than the page size runs on into the next pages (bbolt's overflow),
/// so entries of any size fit. The file is written once and never changed, so nothing in it is free.
/// </summary>
internal static class BoltFile
{
    public const int PageSize = 4096;

    private const uint Magic = 0xED0CDAED;
    private const uint Version = 2;
    private const int PageHeaderSize = 16;
    private const int ElementSize = 16;
    private const ushort BranchPage = 0x01, LeafPage = 0x02, MetaPage = 0x04, FreelistPage = 0x10;
    private const uint BucketLeafFlag = 0x01;

    /// <summary>A page's elements are counted in 16 bits.</summary>
    private const int MaxElements = ushort.MaxValue;

    /// <summary>
    /// The file holding <paramref name="buckets"/> (name, then its key-value pairs; both sorted here by bbolt's byte
    /// order). The meta pages name transactions <paramref name="txid"/> and the one after it.
    /// </summary>
    public static byte[] Write(IEnumerable<(byte[] Name, IReadOnlyList<(byte[] Key, byte[] Value)> Entries)> buckets, ulong txid)
    {
        // Pages 0 and 1: meta; 2: freelist; 3: root bucket; then the buckets' pages.
        var pages = new List<byte[]>();
        var sorted = buckets.OrderBy(b => b.Name, ByteOrder.Instance).ToList();
        ulong next = 4;
        var roots = new List<(byte[] Name, ulong Root)>();
        foreach (var (name, entries) in sorted)
        {
            var ordered = entries.OrderBy(e => e.Key, ByteOrder.Instance).ToList();
            var (root, written) = WriteTree(ordered, next);
            roots.Add((name, root));
            pages.AddRange(written);
            next += (ulong)written.Sum(p => p.Length / PageSize);
        }

        var rootPage = Leaf(3, [.. roots.Select(r => (r.Name, BucketHeader(r.Root)))], BucketLeafFlag);
        var file = new byte[(int)next * PageSize];
        Meta(0, txid, next).CopyTo(file, 0);
        Meta(1, txid + 1, next).CopyTo(file, PageSize);
        Header(file.AsSpan(2 * PageSize), 2, FreelistPage, 0, 0);
        rootPage.CopyTo(file, 3 * PageSize);
        var offset = 4 * PageSize;
        foreach (var page in pages)
        {
            page.CopyTo(file, offset);
            offset += page.Length;
        }

        return file;
    }

    /// <summary>The pages of one bucket from page id <paramref name="first"/> on, and the id of its root page.</summary>
    private static (ulong Root, List<byte[]> Pages) WriteTree(List<(byte[] Key, byte[] Value)> entries, ulong first)
    {
        if (entries.Count <= MaxElements)
        {
            return (first, [Leaf(first, entries, 0)]);
        }

        var chunks = entries.Chunk(MaxElements).ToList();
        if (chunks.Count > MaxElements)
        {
            throw new InvalidOperationException($"A bucket of {entries.Count} entries is more than one branch page can index.");
        }

        var pages = new List<byte[]>();
        var branch = new List<(byte[] Key, ulong Page)>();
        var id = first + 1;
        foreach (var chunk in chunks)
        {
            var leaf = Leaf(id, chunk, 0);
            branch.Add((chunk[0].Key, id));
            pages.Add(leaf);
            id += (ulong)(leaf.Length / PageSize);
        }

        pages.Insert(0, Branch(first, branch));
        return (first, pages);
    }

    private static byte[] Leaf(ulong id, IReadOnlyList<(byte[] Key, byte[] Value)> entries, uint flags)
    {
        var size = PageHeaderSize + (ElementSize * entries.Count) + entries.Sum(e => e.Key.Length + e.Value.Length);
        var page = NewPage(id, LeafPage, entries.Count, size);
        var data = PageHeaderSize + (ElementSize * entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var element = page.AsSpan(PageHeaderSize + (ElementSize * i));
            var (key, value) = entries[i];
            BinaryPrimitives.WriteUInt32LittleEndian(element, flags);
            BinaryPrimitives.WriteUInt32LittleEndian(element[4..], (uint)(data - (PageHeaderSize + (ElementSize * i))));
            BinaryPrimitives.WriteUInt32LittleEndian(element[8..], (uint)key.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(element[12..], (uint)value.Length);
            key.CopyTo(page, data);
            value.CopyTo(page, data + key.Length);
            data += key.Length + value.Length;
        }

        return page;
    }

    private static byte[] Branch(ulong id, IReadOnlyList<(byte[] Key, ulong Page)> children)
    {
        var size = PageHeaderSize + (ElementSize * children.Count) + children.Sum(c => c.Key.Length);
        var page = NewPage(id, BranchPage, children.Count, size);
        var data = PageHeaderSize + (ElementSize * children.Count);
        for (var i = 0; i < children.Count; i++)
        {
            var element = page.AsSpan(PageHeaderSize + (ElementSize * i));
            BinaryPrimitives.WriteUInt32LittleEndian(element, (uint)(data - (PageHeaderSize + (ElementSize * i))));
            BinaryPrimitives.WriteUInt32LittleEndian(element[4..], (uint)children[i].Key.Length);
            BinaryPrimitives.WriteUInt64LittleEndian(element[8..], children[i].Page);
            children[i].Key.CopyTo(page, data);
            data += children[i].Key.Length;
        }

        return page;
    }

    /// <summary>A bucket's header as its parent stores it: root page id and sequence (0).</summary>
    private static byte[] BucketHeader(ulong root)
    {
        var header = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(header, root);
        return header;
    }

    private static byte[] Meta(ulong id, ulong txid, ulong highWater)
    {
        var page = new byte[PageSize];
        Header(page, id, MetaPage, 0, 0);
        var meta = page.AsSpan(PageHeaderSize);
        BinaryPrimitives.WriteUInt32LittleEndian(meta, Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(meta[4..], Version);
        BinaryPrimitives.WriteUInt32LittleEndian(meta[8..], PageSize);
        BinaryPrimitives.WriteUInt32LittleEndian(meta[12..], 0);
        BinaryPrimitives.WriteUInt64LittleEndian(meta[16..], 3);          // root bucket: page 3
        BinaryPrimitives.WriteUInt64LittleEndian(meta[24..], 0);          // its sequence
        BinaryPrimitives.WriteUInt64LittleEndian(meta[32..], 2);          // freelist: page 2
        BinaryPrimitives.WriteUInt64LittleEndian(meta[40..], highWater);  // pages in the file
        BinaryPrimitives.WriteUInt64LittleEndian(meta[48..], txid);
        BinaryPrimitives.WriteUInt64LittleEndian(meta[56..], Fnv1a64(meta[..56]));
        return page;
    }

    private static byte[] NewPage(ulong id, ushort flags, int count, int size)
    {
        var pages = (size + PageSize - 1) / PageSize;
        var page = new byte[pages * PageSize];
        Header(page, id, flags, (ushort)count, (uint)(pages - 1));
        return page;
    }

    private static void Header(Span<byte> page, ulong id, ushort flags, ushort count, uint overflow)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(page, id);
        BinaryPrimitives.WriteUInt16LittleEndian(page[8..], flags);
        BinaryPrimitives.WriteUInt16LittleEndian(page[10..], count);
        BinaryPrimitives.WriteUInt32LittleEndian(page[12..], overflow);
    }

    private static ulong Fnv1a64(ReadOnlySpan<byte> bytes)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return hash;
    }

    /// <summary>bbolt's key order: bytes compared as unsigned, a prefix first.</summary>
    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}

namespace OrleansRaft.KeyValue.Tests;

/// <summary>The chunked key index against SortedSet, over enough keys to split and empty many chunks.</summary>
public sealed class KeyIndexTests
{
    private sealed class BytesComparer : IComparer<byte[]>
    {
        public int Compare(byte[]? x, byte[]? y) => KvBytes.Compare(x, y);
    }

    private static byte[] RandomKey(Random random)
    {
        var key = new byte[random.Next(1, 4)];
        random.NextBytes(key);
        return key;
    }

    private static string Hex(IEnumerable<KeyHistory> histories) => string.Join(",", histories.Select(h => Convert.ToHexString(h.Key.Span)));

    private static string Hex(IEnumerable<byte[]> keys) => string.Join(",", keys.Select(Convert.ToHexString));

    [Fact]
    public void The_index_agrees_with_a_sorted_set_through_inserts_removals_and_scans()
    {
        var random = new Random(4711);
        var index = new KeyIndex();
        var reference = new SortedSet<byte[]>(new BytesComparer());
        for (var step = 0; step < 20_000; step++)
        {
            var key = RandomKey(random);
            if (random.Next(3) > 0)
            {
                var history = index.GetOrAdd(key);
                Assert.Equal(key, history.Key.ToArray());
                reference.Add(key);
                Assert.Same(history, index.Get(key));
            }
            else if (index.Get(key) is { } history)
            {
                index.Remove(history);
                reference.Remove(key);
                Assert.Null(index.Get(key));
            }

            if (step % 5_000 == 4_999)
            {
                Assert.Equal(reference.Count, index.Count);
                Assert.Equal(Hex(reference), Hex(index.Ascending(ReadOnlyMemory<byte>.Empty, null)));
                for (var probe = 0; probe < 5; probe++)
                {
                    var from = RandomKey(random);
                    var to = RandomKey(random);
                    if (to is [0])
                    {
                        to = [0, 0]; // a range end of one zero byte means "to the end", not [from, 0x00)
                    }

                    var expected = reference.Where(k => KvBytes.Compare(k, from) >= 0 && KvBytes.Compare(k, to) < 0).ToList();
                    Assert.Equal(Hex(expected), Hex(index.Ascending(from, to)));
                    Assert.Equal(Hex(expected.AsEnumerable().Reverse()), Hex(index.Descending(from, to)));
                    Assert.Equal(Hex(expected), Hex(index.Scan(KeyRange.Of(from, to))));

                    var open = reference.Where(k => KvBytes.Compare(k, from) >= 0).ToList();
                    Assert.Equal(Hex(open), Hex(index.Scan(KeyRange.Of(from, KeyRanges.FromKey))));
                    Assert.Equal(Hex(open.AsEnumerable().Reverse()), Hex(index.Scan(KeyRange.Of(from, KeyRanges.FromKey), descending: true)));
                    Assert.Equal(reference.Contains(from) ? 1 : 0, index.Scan(KeyRange.Of(from, default)).Count());
                }
            }
        }

        Assert.True(reference.Count > 1_500, $"only {reference.Count} keys: too few to split chunks");
    }

    [Fact]
    public void An_empty_index_scans_to_nothing()
    {
        var index = new KeyIndex();
        Assert.Empty(index.Ascending(ReadOnlyMemory<byte>.Empty, null));
        Assert.Empty(index.Descending(ReadOnlyMemory<byte>.Empty, null));
        Assert.Empty(index.Descending(new byte[] { 1 }, new byte[] { 2 }));
        Assert.Null(index.Get(new byte[] { 1 }));
        Assert.Throws<InvalidOperationException>(() => index.Remove(new KeyHistory([1])));
    }
}

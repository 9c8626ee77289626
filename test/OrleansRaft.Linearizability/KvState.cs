using System.Text;

namespace OrleansRaft.Linearizability;

/// <summary>
/// An immutable map from key to value, compared by content. Checked per key it holds at most one entry,
/// so copying on write costs next to nothing.
/// </summary>
public sealed class KvState : IEquatable<KvState>
{
    // Sorted by key (ordinal), without duplicates; absent keys have no entry.
    private readonly KeyValuePair<string, string>[] entries;

    // Computed on first use (0 means not yet; a computed 0 is stored as 1). One int write, so sharing a state
    // across threads is safe.
    private int hash;

    private KvState(KeyValuePair<string, string>[] entries) => this.entries = entries;

    public static KvState Empty { get; } = new([]);

    public int Count => entries.Length;

    /// <summary>The value of <paramref name="key"/>, or null when it is absent.</summary>
    public string? Get(string key)
    {
        int i = IndexOf(key);
        return i >= 0 ? entries[i].Value : null;
    }

    public KvState With(string key, string value)
    {
        int i = IndexOf(key);
        if (i >= 0)
        {
            if (entries[i].Value == value)
            {
                return this;
            }

            var copy = (KeyValuePair<string, string>[])entries.Clone();
            copy[i] = new(key, value);
            return new KvState(copy);
        }

        int at = ~i;
        var grown = new KeyValuePair<string, string>[entries.Length + 1];
        Array.Copy(entries, grown, at);
        grown[at] = new(key, value);
        Array.Copy(entries, at, grown, at + 1, entries.Length - at);
        return new KvState(grown);
    }

    public bool Equals(KvState? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (other is null || other.entries.Length != entries.Length)
        {
            return false;
        }

        for (int i = 0; i < entries.Length; i++)
        {
            if (!string.Equals(entries[i].Key, other.entries[i].Key, StringComparison.Ordinal)
                || !string.Equals(entries[i].Value, other.entries[i].Value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => Equals(obj as KvState);

    public override int GetHashCode()
    {
        if (hash == 0)
        {
            var combined = default(HashCode);
            foreach (var (key, value) in entries)
            {
                combined.Add(key, StringComparer.Ordinal);
                combined.Add(value, StringComparer.Ordinal);
            }

            int computed = combined.ToHashCode();
            hash = computed == 0 ? 1 : computed;
        }

        return hash;
    }

    public override string ToString()
    {
        var text = new StringBuilder("{");
        for (int i = 0; i < entries.Length; i++)
        {
            text.Append(i == 0 ? "" : ", ").Append(entries[i].Key).Append(": ").Append(KvText.Quote(entries[i].Value));
        }

        return text.Append('}').ToString();
    }

    private int IndexOf(string key)
    {
        int lo = 0;
        int hi = entries.Length - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            int c = string.CompareOrdinal(entries[mid].Key, key);
            if (c == 0)
            {
                return mid;
            }

            if (c < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return ~lo;
    }
}

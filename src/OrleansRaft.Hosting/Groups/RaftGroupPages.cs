using OrleansRaft.Abstractions;

namespace OrleansRaft.Hosting.Groups;

/// <summary>Cuts a <see cref="RaftGroupPage"/> out of a list of ids sorted ordinally: two binary searches, no scan.</summary>
internal static class RaftGroupPages
{
    public static RaftGroupPage Cut(string[] sorted, string? after, int limit)
    {
        // The first id strictly after the cursor; an id that is no longer listed still places the page.
        var start = 0;
        if (!string.IsNullOrEmpty(after))
        {
            var at = Array.BinarySearch(sorted, after, StringComparer.Ordinal);
            start = at >= 0 ? at + 1 : ~at;
        }

        var count = Math.Min(limit, sorted.Length - start);
        var groups = sorted.AsSpan(start, count).ToArray();
        var next = start + count < sorted.Length ? groups[^1] : null;
        var previous = start == 0 ? null : start - limit <= 0 ? "" : sorted[start - limit - 1];
        return new RaftGroupPage(groups, start, sorted.Length, next, previous);
    }
}

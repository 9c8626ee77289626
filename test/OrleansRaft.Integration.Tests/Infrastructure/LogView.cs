using System.Text;
using OrleansRaft.Core;
using OrleansRaft.Hosting.Storage;

namespace OrleansRaft.Integration.Tests.Infrastructure;

/// <summary>Everything a log store holds, in a form that compares exactly and prints readably in a failed assertion.</summary>
public sealed record LogView(HardState HardState, string Snapshot, string SnapshotData, string Entries)
{
    public static async Task<LogView> Of(IRaftLogStore store)
    {
        var entries = new List<Entry>();
        await store.ReadEntriesAsync(store.FirstIndex, store.LastIndex + 1, ulong.MaxValue, entries);
        var snapshot = await store.ReadSnapshotAsync();
        return new LogView(store.HardState, Describe(store.SnapshotMetadata), Convert.ToHexString(snapshot.Data.Span), Describe(entries));
    }

    public static string Describe(SnapshotMetadata metadata) => $"{metadata.Index}/{metadata.Term} {metadata.Configuration}";

    public static string Describe(IEnumerable<Entry> entries)
    {
        var text = new StringBuilder();
        foreach (var entry in entries)
        {
            text.Append(entry.Index).Append('/').Append(entry.Term);
            if (entry.Type != EntryType.Normal)
            {
                text.Append(' ').Append(entry.Type);
            }

            text.Append(':').Append(Convert.ToHexString(entry.Data.Span)).Append(' ');
        }

        return text.ToString().TrimEnd();
    }
}

/// <summary>Builds test entries whose payload is derived from index and term, so any mix-up shows.</summary>
public static class Log
{
    public static Entry[] Entries(ulong firstIndex, ulong term, int count, int size = 8) =>
        Enumerable.Range(0, count).Select(i => Entry(firstIndex + (ulong)i, term, size)).ToArray();

    public static Entry Entry(ulong index, ulong term, int size = 8)
    {
        var data = new byte[size];
        for (var i = 0; i < size; i++)
        {
            data[i] = (byte)(index * 31 + term * 7 + (ulong)i);
        }

        return new Entry(term, index, EntryType.Normal, data);
    }

    public static string NewMember() => $"group-{Guid.NewGuid():N}/1";

    public static string Describe(IEnumerable<Entry> entries) => LogView.Describe(entries);
}

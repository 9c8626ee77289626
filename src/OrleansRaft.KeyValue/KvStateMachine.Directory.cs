namespace OrleansRaft.KeyValue;

/// <summary>
/// Directory listings over '/'-separated keys. A sub-directory costs one seek past its keys, not a scan of them, so a
/// listing costs about the number of children, whatever lies deeper.
/// </summary>
public sealed partial class KvStateMachine
{
    private const byte Separator = (byte)'/';

    private DirectoryListing RunListDirectory(ListDirectoryRequest request)
    {
        var directory = request.Directory;
        RequestValidator.ValidateKey(directory, limits, "directory");
        if (directory.Span[^1] != Separator)
        {
            throw Fail.With(KvErrorCode.InvalidArgument, $"a directory ends with '/': {KvBytes.Show(directory.Span)}");
        }

        RequestValidator.NotNegative(request.Limit, "the limit");
        RequestValidator.NotNegative(request.Revision, "the revision");
        CheckReadRevision(request.Revision);
        var at = request.Revision == 0 ? long.MaxValue : request.Revision;

        ReadOnlyMemory<byte> cursor = directory;
        if (!request.After.IsEmpty)
        {
            var after = request.After;
            if (after.Length <= directory.Length || !after.Span.StartsWith(directory.Span))
            {
                throw Fail.With(KvErrorCode.InvalidArgument, $"{KvBytes.Show(after.Span)} is not a child of {KvBytes.Show(directory.Span)}");
            }

            // Past the child itself, and past everything under it when it is a sub-directory.
            cursor = after.Span[^1] == Separator ? KeyRanges.PrefixEnd(after.Span) : [.. after.Span, 0];
        }

        var end = KeyRanges.PrefixEnd(directory.Span);
        var limit = request.Limit == 0 ? limits.MaxResultCount : Math.Min(request.Limit, limits.MaxResultCount);
        var page = new ResultPage(limit, limits.MaxResultBytes);
        var entries = new List<DirectoryEntry>();
        while (true)
        {
            ReadOnlyMemory<byte>? seek = null;
            foreach (var history in state.Keys.Ascending(cursor, end))
            {
                var rest = history.Key.Span[directory.Length..];
                if (rest.IsEmpty)
                {
                    continue; // the directory's own key
                }

                var slash = rest.IndexOf(Separator);
                DirectoryEntry? entry = null;
                if (slash < 0)
                {
                    if (history.At(at) is { } kv)
                    {
                        entry = new DirectoryEntry(history.Key, request.KeysOnly ? kv.WithoutValue() : kv);
                    }
                }
                else
                {
                    var child = history.Key[..(directory.Length + slash + 1)];
                    var childEnd = KeyRanges.PrefixEnd(child.Span);
                    if (state.Keys.Ascending(child, childEnd).Any(h => h.At(at) is not null))
                    {
                        entry = new DirectoryEntry(child, null);
                    }

                    seek = childEnd;
                }

                if (entry is not null)
                {
                    var size = entry.Path.Length + (request.KeysOnly ? 0 : entry.Kv?.Value.Length ?? 0);
                    if (!page.TryAdd(size))
                    {
                        return new DirectoryListing(state.Revision, entries, more: true);
                    }

                    entries.Add(entry);
                }

                if (seek is not null)
                {
                    break;
                }
            }

            if (seek is not { } next)
            {
                return new DirectoryListing(state.Revision, entries, more: false);
            }

            cursor = next;
        }
    }
}

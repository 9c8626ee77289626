namespace OrleansRaft.Abstractions;

/// <summary>
/// One page of the group directory: <see cref="Groups"/> in ordinal order, the first of them at position
/// <see cref="Offset"/> (from 0) of the <see cref="Total"/> groups listed now.
/// </summary>
/// <remarks>
/// <see cref="Next"/> is the <c>after</c> cursor of the next page (the last id on this one), null when this page ends
/// the list. <see cref="Previous"/> is the <c>after</c> cursor of the page of the same size before this one: empty
/// for the first page, null when this page is the first. Cursors are ids, not positions, so groups created or deleted
/// between two calls shift neither a page's start nor what it lists.
/// </remarks>
[GenerateSerializer, Immutable, Alias("orleansraft.group-page")]
public sealed record RaftGroupPage(
    [property: Id(0)] string[] Groups,
    [property: Id(1)] int Offset,
    [property: Id(2)] int Total,
    [property: Id(3)] string? Next,
    [property: Id(4)] string? Previous);

/// <summary>A page of the directory (<see cref="Page"/>) and the status of each group on it that still exists.</summary>
[GenerateSerializer, Immutable, Alias("orleansraft.group-status-page")]
public sealed record RaftGroupStatusPage(
    [property: Id(0)] RaftGroupPage Page,
    [property: Id(1)] RaftGroupStatus[] Groups);

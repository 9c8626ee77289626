namespace OrleansRaft.Core;

/// <summary>
/// The state a member must persist before it sends any message that depends on it:
/// its current term, the member it voted for in that term (0 for none), and its commit index.
/// </summary>
public readonly record struct HardState(ulong Term, ulong Vote, ulong Commit)
{
    public static HardState Empty => default;

    public bool IsEmpty => Term == 0 && Vote == 0 && Commit == 0;
}

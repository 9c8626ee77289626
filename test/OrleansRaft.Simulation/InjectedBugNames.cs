using OrleansRaft.Core;

namespace OrleansRaft.Simulation;

/// <summary>Command-line names of the protocol bugs the simulator can switch on to prove it catches them.</summary>
internal static class InjectedBugNames
{
    public static InjectedBugs Parse(string text) => text switch
    {
        "vote-twice" => InjectedBugs.VoteTwiceInTerm,
        "commit-old-term" => InjectedBugs.CommitOldTermByCounting,
        _ => throw new ArgumentException($"Unknown bug '{text}': expected vote-twice or commit-old-term."),
    };
}

using OrleansRaft.Core;

namespace OrleansRaft.Simulation;

/// <summary>Command-line names of the bugs the simulator can switch on to prove it catches them.</summary>
internal static class InjectedBugNames
{
    /// <summary>Switches on the named bug: a protocol bug in every member, or the host's stale reads.</summary>
    public static SimulationConfig Apply(SimulationConfig config, string name) => name switch
    {
        "vote-twice" => config with { Bugs = config.Bugs | InjectedBugs.VoteTwiceInTerm },
        "commit-old-term" => config with { Bugs = config.Bugs | InjectedBugs.CommitOldTermByCounting },
        "stale-reads" => config with { ServeReadsLocally = true },
        "overlapping-conf-changes" => config with { Bugs = config.Bugs | InjectedBugs.OverlappingConfigurationChanges, Membership = true },
        "no-liveness-wake" => config with { IgnoreLivenessSignals = true, Quiescence = true },
        _ => throw new ArgumentException($"Unknown bug '{name}': expected vote-twice, commit-old-term, stale-reads, overlapping-conf-changes or no-liveness-wake."),
    };
}

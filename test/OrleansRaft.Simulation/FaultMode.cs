namespace OrleansRaft.Simulation;

/// <summary>Which faults a run injects.</summary>
[Flags]
public enum FaultMode
{
    /// <summary>A reliable network that still delays and reorders messages.</summary>
    None = 0,

    /// <summary>Drops, duplicates, long delays and partitions, asymmetric ones included.</summary>
    Network = 1,

    /// <summary>Members crash, losing everything not yet persisted, and restart later.</summary>
    Crash = 2,

    All = Network | Crash,
}

internal static class FaultModeNames
{
    public static FaultMode Parse(string text) => text switch
    {
        "none" => FaultMode.None,
        "net" => FaultMode.Network,
        "crash" => FaultMode.Crash,
        "all" => FaultMode.All,
        _ => throw new ArgumentException($"Unknown fault mode '{text}': expected none, net, crash or all."),
    };

    public static string Name(this FaultMode mode) => mode switch
    {
        FaultMode.None => "none",
        FaultMode.Network => "net",
        FaultMode.Crash => "crash",
        _ => "all",
    };
}

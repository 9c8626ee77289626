namespace OrleansRaft.Simulation;

/// <summary>What a simulated host reaches beyond its own member: the network, the checks, and the clients.</summary>
internal sealed class NodeEnvironment(
    Random random,
    SimulationParameters parameters,
    SimNetwork network,
    Invariants invariants,
    Action<SimClient, ClientOperation, string?, long, ulong> complete,
    Action<string, string, long> applied,
    bool serveReadsLocally)
{
    /// <summary>The injected host bug of <see cref="SimulationConfig.ServeReadsLocally"/>.</summary>
    public bool ServeReadsLocally { get; } = serveReadsLocally;

    public Random Random { get; } = random;

    public SimulationParameters Parameters { get; } = parameters;

    public SimNetwork Network { get; } = network;

    public Invariants Invariants { get; } = invariants;

    /// <summary>A client's operation completed: (client, operation, output, time, member).</summary>
    public Action<SimClient, ClientOperation, string?, long, ulong> Complete { get; } = complete;

    /// <summary>A member applied a command: (command, result, time).</summary>
    public Action<string, string, long> Applied { get; } = applied;
}

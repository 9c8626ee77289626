namespace OrleansRaft.Hosting.Configuration;

/// <summary>
/// The groups a silo creates once it runs (<c>AddRaftGroup</c>), and how long it waits for the other silos first.
/// </summary>
/// <remarks>
/// A new group's members are placed on distinct silos among those active when they start, and they stay where they
/// were placed; creating groups before the cluster has its silos would put several members on one silo. Creation is
/// idempotent, so every silo creates every group and the first one wins.
/// </remarks>
public sealed class RaftGroupStartupOptions
{
    /// <summary>The groups to create.</summary>
    public List<RaftGroupDefinition> Groups { get; } = [];

    /// <summary>
    /// How many active silos to wait for before creating the groups. Null waits for as many silos as the largest
    /// group has members, so that each member gets a silo of its own.
    /// </summary>
    public int? ExpectedSilos { get; set; }

    /// <summary>The longest the wait for <see cref="ExpectedSilos"/> lasts; then the groups are created anyway, with a warning.</summary>
    public TimeSpan ExpectedSilosTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The silos the startup waits for: <see cref="ExpectedSilos"/>, or the largest group's member count.</summary>
    public int EffectiveExpectedSilos => ExpectedSilos ?? (Groups.Count == 0 ? 1 : Groups.Max(g => g.Members.Count));
}

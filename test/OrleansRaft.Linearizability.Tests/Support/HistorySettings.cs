namespace OrleansRaft.Linearizability.Tests.Support;

/// <param name="Operations">Calls to issue.</param>
/// <param name="Clients">Clients issuing them, each with at most one call outstanding.</param>
/// <param name="Keys">Keys, named k0, k1, ...</param>
/// <param name="Values">Distinct values to write; 0 makes every written value unique.</param>
/// <param name="LostRequestRate">Chance that a call is lost before it takes effect (it stays pending).</param>
/// <param name="LostResponseRate">Chance that a call takes effect but its response is lost (it stays pending).</param>
/// <param name="MaxTimeStep">Time advances by 0..MaxTimeStep between events; 0 steps make equal times.</param>
internal sealed record HistorySettings(
    int Operations,
    int Clients,
    int Keys,
    int Values = 0,
    double LostRequestRate = 0,
    double LostResponseRate = 0,
    int MaxTimeStep = 2);

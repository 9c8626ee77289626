namespace OrleansRaft.Simulation;

public sealed partial class Simulation
{
    private void CheckLinearizability()
    {
    }
}

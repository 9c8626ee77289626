namespace OrleansRaft.TestSupport;

/// <summary>How a child process ended: its exit code (-1 when the test stopped it), what it printed, and how long it ran.</summary>
public sealed record ProcessRun(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed)
{
    /// <summary>Standard output's lines, without the final empty one.</summary>
    public string[] Lines => Stdout.Length == 0 ? [] : Stdout.TrimEnd('\n').Split('\n');

    public override string ToString() => $"exit {ExitCode} after {Elapsed}\n--- stdout\n{Stdout}--- stderr\n{Stderr}";
}

namespace OrleansRaft.Cli.Tests.Infrastructure;

/// <summary>How a CLI process ended: its exit code, what it printed, and how long it ran.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed)
{
    /// <summary>Standard output's lines, without the final empty one.</summary>
    public string[] Lines => Stdout.Length == 0 ? [] : Stdout.TrimEnd('\n').Split('\n');

    public override string ToString() => $"exit {ExitCode} after {Elapsed}\n--- stdout\n{Stdout}--- stderr\n{Stderr}";
}

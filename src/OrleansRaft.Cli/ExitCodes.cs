namespace OrleansRaft.Cli;

/// <summary>The process exit codes of <c>orleansraft</c>; scripts may rely on them, so they never change meaning.</summary>
internal static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Ok = 0;

    /// <summary>The cluster answered but the request failed: the store refused it, the group does not exist, no answer in time.</summary>
    public const int Failed = 1;

    /// <summary>The command line is wrong: unknown command or option, missing argument, malformed number.</summary>
    public const int Usage = 2;

    /// <summary>No gateway of the cluster could be reached, or no cluster is configured.</summary>
    public const int Unreachable = 3;

    /// <summary>A transaction's comparison did not hold, so it changed nothing (<c>txn cas</c>, <c>txn cad</c>).</summary>
    public const int CompareFailed = 4;

    /// <summary>Interrupted (Ctrl-C) before the command finished; a write may or may not have applied.</summary>
    public const int Interrupted = 130;
}

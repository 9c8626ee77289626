namespace OrleansRaft.TestSupport;

/// <summary>How a <see cref="ChildProcess"/> is started.</summary>
public sealed record ChildProcessOptions
{
    /// <summary>How long the process may run: a wait that would outlast it kills the process and fails.</summary>
    public TimeSpan Bound { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Written to standard input, which is then closed; with none it is closed at once.</summary>
    public byte[]? Input { get; init; }

    /// <summary>The working directory; by default the test's.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Variables to set in the child's environment; a null value removes the variable.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    /// <summary>
    /// Starts the program through <c>env --default-signal=INT</c>. A test host started in the background ignores
    /// SIGINT (bash ignores it in asynchronous commands), a child inherits that, and Ctrl-C could not be tested otherwise.
    /// </summary>
    public bool DefaultSigInt { get; init; }
}

using System.Diagnostics;

namespace OrleansRaft.TestSupport;

/// <summary>
/// A DATADIR of infra/postgres/local.sh that this process owns. It is removed (its server stopped at once, the folder
/// deleted with any cluster local.sh kept for it elsewhere) by <see cref="Dispose"/>, at the process's exit
/// (<see cref="ExitCleanup"/>), and, should the process die before either, by a watchdog: <c>local.sh remove-on-eof</c>,
/// started beside it in a session of its own, which removes the folder once this process's end of its standard input
/// closes. The kernel closes it however the process dies, SIGKILL included.
/// </summary>
public sealed class PostgresFolder : IDisposable
{
    private readonly Process _watchdog;
    private readonly IDisposable _atExit;

    private PostgresFolder(string path)
    {
        Path = path;
        // setsid: a Ctrl-C at the terminal, which ends this process, must not end the watchdog with it.
        _watchdog = Process.Start(new ProcessStartInfo("setsid")
        {
            ArgumentList = { "bash", LocalScript.Path, "remove-on-eof", path },
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        }) ?? throw new InvalidOperationException("setsid could not be started.");
        _atExit = ExitCleanup.Register($"PostgreSQL in {path}", Remove);
    }

    public string Path { get; }

    /// <summary>A new folder under <see cref="TestFolders.Root"/>.</summary>
    public static PostgresFolder Create(string prefix = "postgres") => new(TestFolders.Create(prefix));

    /// <summary>The DATADIR at <paramref name="path"/>, which another program starts a server in (the launcher's <c>{data-dir}/postgres</c>).</summary>
    public static PostgresFolder Guard(string path) => new(System.IO.Path.GetFullPath(path));

    public void Dispose() => _atExit.Dispose();

    private void Remove()
    {
        try
        {
            LocalScript.Remove(Path);
        }
        finally
        {
            // Let go: the watchdog finds the folder gone and exits.
            _watchdog.StandardInput.Close();
            _watchdog.Dispose();
        }
    }
}

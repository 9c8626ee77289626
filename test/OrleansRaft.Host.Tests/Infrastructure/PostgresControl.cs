using System.Security.Cryptography;
using System.Text;
using Npgsql;
using OrleansRaft.TestSupport;

namespace OrleansRaft.Host.Tests.Infrastructure;

/// <summary>
/// Faults of a running throwaway PostgreSQL of <c>infra/postgres/local.sh</c> (the launcher's, in
/// <c>{data-dir}/postgres</c>): stopped hard and started again, paused and resumed, its client connections dropped.
/// </summary>
internal sealed class PostgresControl(string dataDir)
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(2);

    /// <summary>local.sh's DATADIR, which holds the last connection string it printed.</summary>
    public string DataDir { get; } = Path.GetFullPath(dataDir);

    /// <summary>
    /// The cluster folder, where local.sh keeps it: under DATADIR, or (as root, when the postgres user cannot reach
    /// DATADIR) under /var/tmp/orleansraft-postgres, named after DATADIR as local.sh names it.
    /// </summary>
    public string PgData
    {
        get
        {
            var inside = Path.Combine(DataDir, "pgdata");
            if (File.Exists(Path.Combine(inside, "PG_VERSION")))
            {
                return inside;
            }

            var name = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(DataDir)))[..16];
            return Path.Combine("/var/tmp/orleansraft-postgres", name, "pgdata");
        }
    }

    /// <summary>The server's process id, from its postmaster.pid; 0 when it does not run.</summary>
    public int PostmasterPid
    {
        get
        {
            var file = Path.Combine(PgData, "postmaster.pid");
            return File.Exists(file) && int.TryParse(File.ReadLines(file).FirstOrDefault(), out var pid) && Signal.IsRunning(pid) ? pid : 0;
        }
    }

    public string ConnectionString => File.ReadAllText(Path.Combine(DataDir, "connection")).Trim();

    /// <summary><c>pg_ctl stop -m immediate</c>: the server and its backends exit at once, as in a crash.</summary>
    public async Task StopImmediatelyAsync()
    {
        var bin = Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(Directory.Exists).OrderBy(d => d, StringComparer.Ordinal).Last();
        string[] command = [Path.Combine(bin, "pg_ctl"), "-D", PgData, "-m", "immediate", "-w", "-t", "60", "stop"];
        var run = Environment.UserName == "root"
            ? await ChildProcess.RunAsync("runuser", ["-u", "postgres", "--", .. command], new ChildProcessOptions { Bound = Bound })
            : await ChildProcess.RunAsync(command[0], command[1..], new ChildProcessOptions { Bound = Bound });
        if (run.ExitCode != 0)
        {
            throw new InvalidOperationException($"pg_ctl stop -m immediate failed.\n{run}");
        }
    }

    /// <summary>Starts the server again with local.sh, on the port it had (local.sh keeps it when it is free).</summary>
    public async Task StartAsync()
    {
        var run = await ChildProcess.RunAsync("setsid", ["bash", LocalScript.Path, "start", DataDir], new ChildProcessOptions { Bound = LocalScript.Bound });
        if (run.ExitCode != 0)
        {
            throw new InvalidOperationException($"local.sh start failed.\n{run}");
        }
    }

    /// <summary>SIGSTOP to the server and every backend: connections stay open, and nothing answers.</summary>
    public IReadOnlyList<int> Pause()
    {
        var pids = ServerProcesses();
        foreach (var pid in pids)
        {
            Signal.Send(pid, "STOP");
        }

        return pids;
    }

    /// <summary>SIGCONT to the processes <see cref="Pause"/> stopped.</summary>
    public static void Resume(IReadOnlyList<int> pids)
    {
        foreach (var pid in pids.Where(Signal.IsRunning))
        {
            Signal.Send(pid, "CONT");
        }
    }

    /// <summary><c>pg_terminate_backend</c> for every client backend but this call's own; returns how many it ended.</summary>
    public async Task<int> TerminateClientBackendsAsync()
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()",
            connection);
        return Convert.ToInt32(await command.ExecuteScalarAsync());
    }

    /// <summary>How many rows of the batching provider's table hold the state <paramref name="stateName"/>.</summary>
    public async Task<long> CountRowsAsync(string stateName)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM raft_grain_state WHERE state_name = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = stateName });
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    /// <summary>The postmaster and its children (backends and auxiliary processes).</summary>
    private List<int> ServerProcesses()
    {
        var postmaster = PostmasterPid;
        if (postmaster == 0)
        {
            throw new InvalidOperationException($"The server of {PgData} does not run.");
        }

        var children = Directory.GetDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && ParentOf(pid) == postmaster);
        return [postmaster, .. children];
    }

    private static int ParentOf(int pid)
    {
        try
        {
            // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after its closing parenthesis.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return 0;
        }
    }
}

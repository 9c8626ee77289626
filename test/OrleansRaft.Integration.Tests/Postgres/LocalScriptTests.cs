using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text.RegularExpressions;
using Npgsql;
using OrleansRaft.Hosting.Storage;
using OrleansRaft.TestSupport;

namespace OrleansRaft.Integration.Tests.Postgres;

/// <summary>infra/postgres/local.sh on folders of its own: each test starts a throwaway server, which is removed with it.</summary>
[UnsupportedOSPlatform("windows")]
public sealed partial class LocalScriptTests : IDisposable
{
    private readonly List<PostgresFolder> _folders = [];

    [Fact]
    public async Task Two_starts_at_once_on_a_new_folder_start_one_server_and_print_its_connection_string_twice()
    {
        var dataDir = NewDataDir();

        var starts = await Task.WhenAll(Task.Run(() => Start(dataDir)), Task.Run(() => Start(dataDir)));

        Assert.Equal(starts[0].ConnectionString, starts[1].ConnectionString);
        Assert.Single(starts, s => s.Error.Contains("initdb in", StringComparison.Ordinal));
        Assert.Single(starts, s => s.Error.Contains("already running", StringComparison.Ordinal));
        await AssertSchemaApplied(starts[0].ConnectionString);
    }

    [Fact]
    public async Task A_restart_restores_a_missing_include_line_and_moves_off_a_port_it_cannot_bind()
    {
        var dataDir = NewDataDir();
        var first = Start(dataDir);
        Stop(dataDir);
        var pgdata = Path.Combine(ClusterDir(first.Error), "pgdata");

        // As if the first start had died between initdb and the line that includes local.conf.
        var settings = Path.Combine(pgdata, "postgresql.conf");
        File.WriteAllLines(settings, File.ReadAllLines(settings).Where(line => !line.StartsWith("include_if_exists", StringComparison.Ordinal)));
        // A socket bound to the port the server is configured for, without listening: free to a probe, taken to
        // the server. (ProtocolType.IP rather than Tcp: .NET sets SO_REUSEADDR on a Tcp socket it binds, and the
        // server, which sets it too, could then share the port.)
        using var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.IP);
        squatter.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)squatter.LocalEndPoint!).Port;
        var local = Path.Combine(pgdata, "local.conf");
        File.WriteAllLines(local, File.ReadAllLines(local).Select(line => line.StartsWith("port = ", StringComparison.Ordinal) ? $"port = {port}" : line));

        var second = Start(dataDir);

        Assert.NotEqual(port, new NpgsqlConnectionStringBuilder(second.ConnectionString).Port);
        Assert.Contains($"port {port} could not be bound", second.Error);
        Assert.Single(File.ReadAllLines(settings), line => line == "include_if_exists = 'local.conf'");
        await AssertSchemaApplied(second.ConnectionString);
    }

    public void Dispose()
    {
        foreach (var folder in _folders)
        {
            folder.Dispose();
        }
    }

    /// <summary>A new DATADIR, removed with the test (the cluster too, wherever local.sh put it).</summary>
    private string NewDataDir()
    {
        var folder = PostgresFolder.Create("local-sh");
        _folders.Add(folder);
        return folder.Path;
    }

    private static (string ConnectionString, string Error) Start(string dataDir)
    {
        var start = LocalScript.Run("start", dataDir);
        Assert.True(start.ExitCode == 0, start.Stderr);
        return (start.Lines[^1].Trim(), start.Stderr);
    }

    private static void Stop(string dataDir)
    {
        var stop = LocalScript.Run("stop", dataDir);
        Assert.True(stop.ExitCode == 0, stop.Stderr);
    }

    /// <summary>Where the cluster lives: DATADIR itself, or the fallback folder that start reports.</summary>
    private static string ClusterDir(string startError)
    {
        var match = InitdbLine().Match(startError);
        Assert.True(match.Success, startError);
        return Path.GetDirectoryName(match.Groups[1].Value)!;
    }

    private static async Task AssertSchemaApplied(string connectionString)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM raft_schema_migrations", connection);
        Assert.Equal((long)PostgresSchema.Migrations.Count, (long)(await count.ExecuteScalarAsync())!);
    }

    [GeneratedRegex("initdb in (\\S+)")]
    private static partial Regex InitdbLine();
}

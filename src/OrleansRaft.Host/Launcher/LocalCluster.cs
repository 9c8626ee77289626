using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Configuration;
using Npgsql;
using OrleansRaft.Host.Silo;

namespace OrleansRaft.Host.Launcher;

/// <summary>
/// The embedded default: a throwaway PostgreSQL and N silos on loopback, each its own process, supervised until
/// SIGINT or SIGTERM; then the silos stop one at a time (each hands its leaderships to the others), then PostgreSQL.
/// Everything durable lives in the data folder, so the next run with the same folder finds the data again.
/// </summary>
/// <remarks>
/// A silo that exits on its own is reported and not restarted: the point of the local cluster is to let its user
/// kill a silo and watch the group go on.
/// </remarks>
internal sealed class LocalCluster(LauncherArguments arguments, string[] siloArgs)
{
    private static readonly TimeSpan LeaderTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan SiloStopTimeout = TimeSpan.FromSeconds(40);

    private readonly List<SiloProcess> _silos = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private volatile bool _stopping;

    public async Task<int> RunAsync()
    {
        var configuration = HostConfiguration.Build(siloArgs);
        var cluster = configuration.GetSection("Cluster").Get<ClusterSettings>() ?? new ClusterSettings();
        var group = configuration.GetSection("Groups").Get<GroupSettings[]>() is [var first, ..] ? first.Id : "kv";
        var dataDir = arguments.DataDir;
        var logs = Path.Combine(dataDir, "logs");
        Directory.CreateDirectory(logs);

        var script = LocalPostgres.FindScript();
        if (script is null)
        {
            Console.Error.WriteLine("infra/postgres/local.sh was found neither beside this program nor above it; set ConnectionStrings:Postgres to use a server of your own.");
            return 1;
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        var postgres = new LocalPostgres(script, Path.Combine(dataDir, "postgres"), Path.Combine(logs, "postgres.log"));
        Say($"OrleansRaft local cluster; data in {dataDir}");
        Say($"starting PostgreSQL (log: {Path.Combine(logs, "postgres.log")})");
        // With --postgres-per-silo, silo N keeps its members' logs in a server of its own; the shared one keeps membership,
        // group records and members' silo bindings.
        var logServers = arguments.PostgresPerSilo
            ? Enumerable.Range(1, arguments.Silos)
                .Select(n => new LocalPostgres(script, Path.Combine(dataDir, $"postgres-silo-{n}"), Path.Combine(logs, $"postgres-silo-{n}.log")))
                .ToArray()
            : [];
        string connectionString;
        string[] logConnectionStrings;
        try
        {
            connectionString = await postgres.StartAsync();
            await ForgetOldSilosAsync(connectionString, cluster.ClusterId);
            if (logServers.Length > 0)
            {
                Say($"starting {logServers.Length} PostgreSQL servers for the silos' logs (logs: {Path.Combine(logs, "postgres-silo-N.log")})");
            }

            logConnectionStrings = await Task.WhenAll(logServers.Select(s => s.StartAsync()));
        }
        catch (Exception exception) when (exception is InvalidOperationException or NpgsqlException)
        {
            Console.Error.WriteLine(exception.Message);
            await StopPostgresAsync(postgres, logServers);
            return 1;
        }

        var exitCode = 0;
        try
        {
            var tls = Tls(configuration);
            StartSilos(SiloConnectionString(connectionString), [.. logConnectionStrings.Select(SiloConnectionString)], logs, tls);
            new ClusterFile(
                [.. _silos.Select(s => $"127.0.0.1:{s.GatewayPort}")],
                [.. _silos.Select(s => s.StatusUrl)],
                cluster.ClusterId,
                cluster.ServiceId,
                group,
                [.. _silos.Select(s => s.EtcdEndpoint)])
            {
                Tls = tls is null ? null : new ClusterFileTls(tls.Client.Certificate, tls.Client.Key, [tls.Authority]),
            }.Write(dataDir);

            var leader = await LeaderWatch.WaitAsync(_silos.Select(s => s.StatusUrl).ToArray(), group, LeaderTimeout, _stop.Token);
            if (leader is { } found)
            {
                PrintUsage(found, group, dataDir);
            }
            else if (!_stop.IsCancellationRequested)
            {
                Say($"group '{group}' has no leader after {LeaderTimeout.TotalMinutes} minutes; see the silos' logs in {logs}. Ctrl-C stops everything.");
                exitCode = 1;
            }

            await Task.Delay(Timeout.Infinite, _stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        }
        finally
        {
            await StopSilosAsync();
            Say("stopping PostgreSQL");
            if (!await StopPostgresAsync(postgres, logServers))
            {
                Say($"PostgreSQL did not stop cleanly; see {logs}/postgres*.log");
                exitCode = 1;
            }

            Say($"stopped; the data stays in {dataDir}, and the same command starts it again");
        }

        return exitCode;
    }

    /// <summary>Stops the shared server and the silos' own; true when every one stopped.</summary>
    private static async Task<bool> StopPostgresAsync(LocalPostgres shared, LocalPostgres[] perSilo)
    {
        var stopped = await Task.WhenAll(perSilo.Select(s => s.StopAsync()));
        return await shared.StopAsync() && stopped.All(s => s);
    }

    private void OnSignal(PosixSignalContext context)
    {
        // The launcher stops on its own terms: the silos first, then PostgreSQL. A second signal while stopping kills
        // the silos that are left.
        context.Cancel = true;
        if (_stopping)
        {
            // The signal arrives on its own thread, while silos may still be added: kill a copy.
            SiloProcess[] started;
            lock (_silos)
            {
                started = [.. _silos];
            }

            foreach (var silo in started)
            {
                silo.Kill();
            }

            return;
        }

        _stopping = true;
        _stop.Cancel();
    }

    /// <summary>
    /// The server belongs to this launcher and no silo of it runs yet, so every membership row of the cluster is a
    /// silo of an earlier run. Left in place, rows of silos that died without stopping would be probed by the new
    /// silos until declared dead.
    /// </summary>
    private static async Task ForgetOldSilosAsync(string connectionString, string clusterId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("DELETE FROM orleansmembershiptable WHERE deploymentid = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = clusterId });
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// The server takes 200 connections (local.sh); each silo's pool would take up to 100, and a silo whose members
    /// load their logs at once can use them all. The silos share the server evenly, with room left for tools.
    /// </summary>
    private string SiloConnectionString(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = Math.Max(10, 150 / arguments.Silos) }.ConnectionString;

    /// <summary>
    /// The certificates of the silos' and clients' mutual TLS, issued in the data folder; null with --insecure, or when
    /// the silos' own configuration sets <c>Orleans:Tls</c> (then it is theirs, and cluster.json names no client certificate).
    /// </summary>
    private LocalTls? Tls(IConfiguration configuration)
    {
        if (arguments.Insecure)
        {
            Say("--insecure: the Orleans links (silo to silo, client to gateway) are cleartext");
            return null;
        }

        if (configuration.GetSection(HostConfiguration.OrleansTlsSection).Exists())
        {
            Say($"the silos use the {HostConfiguration.OrleansTlsSection} settings given; {ClusterFile.FileName} names no client certificate");
            return null;
        }

        var tls = LocalCertificates.Issue(arguments.DataDir, arguments.Silos);
        Say($"Orleans links use mutual TLS; authority {tls.Authority}, client certificate {tls.Client.Certificate} (key {tls.Client.Key})");
        return tls;
    }

    /// <summary>Starts the silos; silo N keeps its members' logs in <paramref name="logConnectionStrings"/>[N - 1] when there are any.</summary>
    private void StartSilos(string connectionString, string[] logConnectionStrings, string logs, LocalTls? tls)
    {
        var ports = new PortPicker(arguments.FreePorts);

        // A token set in configuration wins; otherwise the local cluster has its own, in a file beside cluster.json.
        var adminToken = HostConfiguration.Build(siloArgs)["Raft:AdminToken"] is { Length: > 0 } configured
            ? configured
            : LocalAdminToken.LoadOrCreate(arguments.DataDir);
        for (var n = 1; n <= arguments.Silos; n++)
        {
            int siloPort = ports.Next(11111), gatewayPort = ports.Next(30000), statusPort = ports.Next(8080), etcdPort = ports.Next(2379);
            var environment = new Dictionary<string, string>
            {
                [Key("ConnectionStrings:Postgres")] = connectionString,
                [Key("Cluster:Clustering")] = nameof(ClusteringKind.AdoNet),
                [Key("Cluster:ExpectedSilos")] = arguments.Silos.ToString(),
                [Key("Silo:Address")] = "127.0.0.1",
                [Key("Silo:Port")] = siloPort.ToString(),
                [Key("Silo:GatewayPort")] = gatewayPort.ToString(),
                [Key("Silo:Name")] = $"silo-{n}",
                [Key("Silo:Supervised")] = "true",
                [Key("Status:Address")] = "127.0.0.1",
                [Key("Status:Port")] = statusPort.ToString(),
                [Key("Etcd:Enabled")] = "true",
                [Key("Etcd:Address")] = "127.0.0.1",
                [Key("Etcd:Port")] = etcdPort.ToString(),
                [Key("Etcd:AdvertisedClientUrls:0")] = $"http://127.0.0.1:{etcdPort}",
                [Key("Raft:AdminToken")] = adminToken,
            };
            if (logConnectionStrings.Length > 0)
            {
                environment[Key(HostConfiguration.RaftLogKey)] = logConnectionStrings[n - 1];
            }

            if (tls is not null)
            {
                environment[Key($"{HostConfiguration.OrleansTlsSection}:CertificatePath")] = tls.Silos[n - 1].Certificate;
                environment[Key($"{HostConfiguration.OrleansTlsSection}:KeyPath")] = tls.Silos[n - 1].Key;
                environment[Key($"{HostConfiguration.OrleansTlsSection}:TrustedCaPaths:0")] = tls.Authority;
            }

            var silo = SiloProcess.Start(n, siloPort, gatewayPort, statusPort, etcdPort, Path.Combine(logs, $"silo-{n}.log"), environment, siloArgs);
            lock (_silos)
            {
                _silos.Add(silo);
            }

            Say($"silo {n}: pid {silo.Pid}, silo port {siloPort}, gateway port {gatewayPort}, status {silo.StatusUrl} (log: {silo.LogPath})");
            _ = ReportExitAsync(silo);
        }

        Say($"etcd endpoints (silo 1 first): {string.Join(",", _silos.Select(s => s.EtcdEndpoint))}");
    }

    private async Task ReportExitAsync(SiloProcess silo)
    {
        var code = await silo.Exited;
        if (!_stopping)
        {
            Say($"silo {silo.Number} (pid {silo.Pid}) exited with code {code}; it is not restarted, the other silos go on (log: {silo.LogPath})");
        }
    }

    private async Task StopSilosAsync()
    {
        _stopping = true;
        foreach (var silo in _silos)
        {
            if (silo.Exited.IsCompleted)
            {
                continue;
            }

            Say($"stopping silo {silo.Number} (pid {silo.Pid})");
            if (!await silo.StopAsync(SiloStopTimeout))
            {
                Say($"silo {silo.Number} did not stop within {SiloStopTimeout.TotalSeconds} s and was killed");
            }
        }

        foreach (var silo in _silos)
        {
            silo.Dispose();
        }
    }

    private void PrintUsage(LeaderWatch.Leader leader, string group, string dataDir)
    {
        var gateways = string.Join(",", _silos.Select(s => $"127.0.0.1:{s.GatewayPort}"));
        var dataFlag = Path.GetFullPath(".orleansraft") == dataDir ? "" : $" --data-dir {dataDir}";
        var cli = $"dotnet run -c Release --project src/OrleansRaft.Cli --{dataFlag}";
        Say($"ready: group '{group}' is led by member {leader.Member} (term {leader.Term}), on {leader.Silo}");
        Console.WriteLine(
            $"""

            Try it (the CLI finds the gateways in {Path.Combine(dataDir, ClusterFile.FileName)}):
              {cli} put hello world
              {cli} get hello
              {cli} status
            or pass --gateways {gateways} from anywhere (with --data-dir {dataDir}, for its TLS certificates). The status pages: {string.Join(" ", _silos.Select(s => s.StatusUrl))}
            etcd clients work too: ETCDCTL_API=3 etcdctl --endpoints={string.Join(",", _silos.Select(s => s.EtcdEndpoint))} put a b
            Kill a silo (kill -9 PID, PIDs above) and the group goes on with the other two. Ctrl-C stops everything.

            """);
    }

    private void Say(string text) => Console.WriteLine($"[{_clock.Elapsed.TotalSeconds,7:F2}s] {text}");

    private static string Key(string configurationKey) => HostConfiguration.EnvironmentPrefix + configurationKey.Replace(":", "__", StringComparison.Ordinal);
}

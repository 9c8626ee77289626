using System.Diagnostics;
using System.Text.RegularExpressions;
using OrleansRaft.Client;
using OrleansRaft.KeyValue;
using OrleansRaft.Host.Tests.Infrastructure;
using OrleansRaft.TestSupport;

namespace OrleansRaft.Host.Tests;

/// <summary>
/// A local cluster's life: a graceful stop of the leader's silo under load, SIGTERM to the launcher (which stops every
/// silo, then PostgreSQL), and a second run on the same data folder that finds the data.
/// </summary>
public sealed class RestartTests : IAsyncLifetime
{
    private static readonly KvCallOptions Patient = new() { Timeout = TimeSpan.FromSeconds(30) };

    private readonly DataDir _dataDir = new();

    [Fact]
    public async Task A_gracefully_stopped_leader_hands_off_and_a_stopped_cluster_restarts_with_its_data()
    {
        await using (var first = await LauncherProcess.StartAsync(_dataDir.Path))
        {
            await using (var connection = await KvConnection.ConnectAsync(_dataDir.Path))
            {
                await connection.Kv.PutAsync("restart/before", "kept", Patient);

                // The leader's silo stops gracefully (SIGTERM) while puts flow: it hands leadership to a member on
                // another silo before it goes, and every put succeeds. (How long the puts pause is measured, not
                // asserted: a put in flight through the stopping silo's gateway can still wait out its attempt.)
                var before = await StatusReader.LeaderAsync(first.Silos[0].StatusUrl, "kv");
                var stopped = first.Silos.Single(s => before.LeaderMember.Silo!.Contains($":{s.SiloPort}:", StringComparison.Ordinal));
                await PutsAcrossAsync(connection.Kv, () => Signal.Send(stopped.Pid, "TERM"), async () =>
                    await first.WaitForLineAsync(new Regex($@"silo {stopped.Number} \(pid {stopped.Pid}\) exited with code 0;"), TimeSpan.FromSeconds(60)));

                var log = await File.ReadAllTextAsync(Path.Combine(_dataDir.Path, "logs", $"silo-{stopped.Number}.log"));
                Assert.Matches($@"Raft member kv/{before.Leader} handed its leadership to member \d", log);
                // The hand-off is proven by the log above. The stopped member is activated again on a surviving silo
                // (the status page asks for it) and may win a later election there, so the leader asked for is one on
                // a surviving silo, whichever member it is.
                var survivor = first.Silos.First(s => s.Number != stopped.Number);
                await StatusReader.LeaderAsync(
                    survivor.StatusUrl, "kv", g => !g.LeaderMember.Silo!.Contains($":{stopped.SiloPort}:", StringComparison.Ordinal));
            }

            Assert.Equal(0, await first.StopAsync(TimeSpan.FromSeconds(90)));

            // Stopping silos is expected: no silo logged an exception's stack trace or an undeliverable message for it.
            foreach (var silo in first.Silos)
            {
                var text = await File.ReadAllTextAsync(Path.Combine(_dataDir.Path, "logs", $"silo-{silo.Number}.log"));
                Assert.DoesNotMatch(@"\n\s+at \S+\(", text);
                Assert.DoesNotContain("Failed to address message", text, StringComparison.Ordinal);
            }

            Assert.DoesNotContain(first.Silos, s => Signal.IsRunning(s.Pid));
            Assert.False(PostgresRunning(), "PostgreSQL still runs after the launcher stopped.");
            Assert.Contains("stopping PostgreSQL", first.Output, StringComparison.Ordinal);
        }

        // The second run keeps the local authority, so that clients set up with it go on working, and issues the
        // silos' and client's certificates from it anew.
        var authority = Path.Combine(_dataDir.Path, "tls", "ca.crt");
        var (authorityBefore, clientBefore) = (await File.ReadAllTextAsync(authority), await File.ReadAllTextAsync(Path.Combine(_dataDir.Path, "tls", "client.crt")));
        await using var second = await LauncherProcess.StartAsync(_dataDir.Path);
        Assert.Equal(authorityBefore, await File.ReadAllTextAsync(authority));
        Assert.NotEqual(clientBefore, await File.ReadAllTextAsync(Path.Combine(_dataDir.Path, "tls", "client.crt")));
        await using var again = await KvConnection.ConnectAsync(_dataDir.Path);
        var kept = await again.Kv.GetAsync("restart/before", Patient);
        Assert.NotNull(kept);
        Assert.Equal("kept", KvBytes.ToText(kept.Value));
        var last = await again.Kv.GetPrefixAsync("restart/put/", Patient);
        Assert.NotEmpty(last.Kvs);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        _dataDir.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Puts one key after another, fires <paramref name="disrupt"/> once they flow, goes on until <paramref name="settled"/>
    /// completed and 20 more puts succeeded, and returns the longest time between two consecutive successful puts.
    /// </summary>
    private static async Task<TimeSpan> PutsAcrossAsync(KvClient kv, Action disrupt, Func<Task> settled)
    {
        var clock = Stopwatch.StartNew();
        var last = TimeSpan.Zero;
        var longest = TimeSpan.Zero;
        Task? done = null;
        var after = 0;
        for (var i = 0; after < 20; i++)
        {
            await kv.PutAsync($"restart/put/{i:D5}", "v", Patient);
            var now = clock.Elapsed;
            if (done is not null)
            {
                longest = now - last > longest ? now - last : longest;
                if (done.IsCompleted)
                {
                    await done;
                    after++;
                }
            }

            last = now;
            if (i == 20)
            {
                disrupt();
                done = settled();
            }
        }

        return longest;
    }

    private bool PostgresRunning() => LocalScript.Run("status", _dataDir.Postgres).ExitCode == 0;
}

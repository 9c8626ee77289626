using System.Text;
using System.Text.RegularExpressions;
using OrleansRaft.Etcd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansRaft.Etcd.Tests;

/// <summary>
/// <c>etcdctl lock</c> and <c>etcdctl elect</c> (clientv3's concurrency recipes: sessions on leases, keys
/// <c>name/lease-in-hex</c>, waiting on the key created last before one's own) run the same script against etcd 3.4
/// and against the gateway; the transcripts, lease ids numbered in order of appearance, must be the same. The golden
/// transcript is recorded from the real etcd on every run.
/// </summary>
[Collection(EtcdGatewayCollection.Name)]
public sealed partial class EtcdctlRecipeParityTests(EtcdGatewayCluster fixture, RealEtcd etcd, ITestOutputHelper output) : IClassFixture<RealEtcd>
{
    private readonly string _gateway = new Uri(fixture.Endpoint).Authority;

    [Fact]
    public async Task Lock_with_a_second_waiter_and_a_holder_whose_lease_expires_prints_what_etcd_prints()
    {
        var expected = await LockScriptAsync(etcd.Authority, "/recipes/lock");
        output.WriteLine(expected);
        var actual = await LockScriptAsync(_gateway, "/recipes/lock");
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task Elect_with_candidates_an_observer_a_resignation_and_a_revoked_leader_prints_what_etcd_prints()
    {
        var expected = await ElectScriptAsync(etcd.Authority, "/recipes/elect");
        output.WriteLine(expected);
        var actual = await ElectScriptAsync(_gateway, "/recipes/elect");
        Assert.Equal(expected, actual);
    }

    private static async Task<string> LockScriptAsync(string endpoint, string name)
    {
        var transcript = new Transcript();
        using var first = Etcdctl.Start(endpoint, $"lock --ttl=5 {name}");
        transcript.Add("first holds", (await first.WaitForLinesAsync(1))[0]);

        using var second = Etcdctl.Start(endpoint, $"lock --ttl=5 {name}");
        await WaitForKeysAsync(endpoint, name, 2);
        transcript.Add("second while the first holds", second.Stdout);

        // Ctrl-C unlocks: the second acquires.
        first.Interrupt();
        var firstRun = await first.WaitForExitAsync();
        transcript.Add("first after Ctrl-C", $"exit {firstRun.ExitCode} {firstRun.Stdout}");
        transcript.Add("second holds", (await second.WaitForLinesAsync(1))[0]);

        // A holder that dies keeps the lock until its session's lease expires (5 s); then the waiter holds it.
        using var third = Etcdctl.Start(endpoint, $"lock --ttl=5 {name}");
        await WaitForKeysAsync(endpoint, name, 2);
        second.Dispose();
        transcript.Add("third while the second's lease lives", third.Stdout);
        transcript.Add("third holds once it expired", (await third.WaitForLinesAsync(1))[0]);
        await WaitForKeysAsync(endpoint, name, 1);
        transcript.Add("keys", (await Etcdctl.RunAsync(endpoint, $"get --prefix --keys-only {name}/")).Output);

        third.Interrupt();
        await third.WaitForExitAsync();
        await WaitForKeysAsync(endpoint, name, 0);
        return transcript.ToString();
    }

    private static async Task<string> ElectScriptAsync(string endpoint, string name)
    {
        var transcript = new Transcript();
        using var observer = Etcdctl.Start(endpoint, $"elect -l {name}");
        using var one = Etcdctl.Start(endpoint, $"elect {name} one");
        transcript.Add("one elected", string.Join('\n', await one.WaitForLinesAsync(2)));
        transcript.Add("observer", string.Join('\n', await observer.WaitForLinesAsync(2)));

        using var two = Etcdctl.Start(endpoint, $"elect {name} two");
        await WaitForKeysAsync(endpoint, name, 2);
        transcript.Add("two while one leads", two.Stdout);

        // Ctrl-C resigns: two leads, and the observer sees it.
        one.Interrupt();
        var oneRun = await one.WaitForExitAsync();
        transcript.Add("one after Ctrl-C", $"exit {oneRun.ExitCode} {oneRun.Stdout}");
        transcript.Add("two elected", string.Join('\n', await two.WaitForLinesAsync(2)));
        transcript.Add("observer", string.Join('\n', (await observer.WaitForLinesAsync(4))[2..]));

        // The leader's lease ends (revoked here, as when it expires): its key goes, and the next candidate leads.
        using var three = Etcdctl.Start(endpoint, $"elect {name} three");
        await WaitForKeysAsync(endpoint, name, 2);
        var lease = LeaseOfKey().Match((await two.WaitForLinesAsync(1))[0]).Groups[1].Value;
        await Etcdctl.RunAsync(endpoint, $"lease revoke {lease}");
        var twoRun = await two.WaitForExitAsync();
        transcript.Add("two after its lease ended", $"exit {twoRun.ExitCode} {twoRun.Stderr.Trim()}");
        transcript.Add("three elected", string.Join('\n', await three.WaitForLinesAsync(2)));
        transcript.Add("observer", string.Join('\n', (await observer.WaitForLinesAsync(6))[4..]));

        three.Interrupt();
        await three.WaitForExitAsync();
        await WaitForKeysAsync(endpoint, name, 0);
        observer.Interrupt();
        var observed = await observer.WaitForExitAsync();
        transcript.Add("observer at the end", $"exit {observed.ExitCode}, {observed.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length} lines");
        return transcript.ToString();
    }

    private static async Task WaitForKeysAsync(string endpoint, string name, int count) =>
        await EtcdGatewayCluster.WaitUntilAsync(async () =>
            (await Etcdctl.RunAsync(endpoint, $"get --prefix --keys-only {name}/")).Lines.Length == count,
            $"{count} keys under {name}/ on {endpoint}");

    [GeneratedRegex("/([0-9a-f]+)$")]
    private static partial Regex LeaseOfKey();

    [GeneratedRegex("(?<=/)[0-9a-f]+\\b")]
    private static partial Regex LeaseHex();

    /// <summary>Lines of a script's output, with lease ids (random on both sides) replaced by their order of appearance.</summary>
    private sealed class Transcript
    {
        private readonly StringBuilder _text = new();
        private readonly Dictionary<string, int> _leases = [];

        public void Add(string step, string output)
        {
            var shown = LeaseHex().Replace(output, m =>
            {
                if (!_leases.TryGetValue(m.Value, out var n))
                {
                    _leases[m.Value] = n = _leases.Count + 1;
                }

                return $"<lease {n}>";
            });
            _text.Append(step).Append(": ").Append(shown.TrimEnd('\n')).Append('\n');
        }

        public override string ToString() => _text.ToString();
    }
}

using System.Diagnostics;

namespace OrleansRaft.Host.Demo;

/// <summary>
/// <c>--demo</c>: a live demo of the Raft core alone, in one process: three members elect a leader, commit proposals,
/// lose their leader, elect another, and bring the crashed member back up to date.
/// </summary>
internal static class CoreDemo
{
    public static async Task<int> RunAsync()
    {
        var tick = TimeSpan.FromMilliseconds(20);
        var clock = Stopwatch.StartNew();
        void Say(string text) => Console.WriteLine($"{clock.Elapsed.TotalSeconds,6:F2}s  {text}");

        var cluster = new DemoCluster(size: 3, seed: Environment.TickCount, Say);
        Say($"3 members up; a tick is {tick.TotalMilliseconds} ms, elections time out after 10-20 ticks");

        async Task<ulong> AwaitLeader()
        {
            while (cluster.Leader is null)
            {
                cluster.Tick();
                await Task.Delay(tick);
            }

            return cluster.Leader.Value;
        }

        async Task ProposeSome(string prefix, int count)
        {
            for (var i = 1; i <= count; i++)
            {
                var result = cluster.Propose($"{prefix}-{i}");
                Say($"proposed {prefix}-{i}: {result.Status} at index {result.Index}, term {result.Term}");
                cluster.Tick();
                await Task.Delay(tick);
            }
        }

        void Show()
        {
            foreach (var m in cluster.Members)
            {
                Say($"  member {m.Id}: {(m.Up ? m.Role.ToString().ToLowerInvariant() : "down"),-9} term {m.Term}, applied index {m.Applied}, {m.Values} values");
            }
        }

        var first = await AwaitLeader();
        await ProposeSome("a", 5);
        Show();

        cluster.Crash(first);
        var second = await AwaitLeader();
        Say($"failover: member {second} took over from member {first}");
        await ProposeSome("b", 5);
        Show();

        cluster.Restart(first, seed: 7);
        for (var i = 0; i < 10; i++)
        {
            cluster.Tick();
            await Task.Delay(tick);
        }

        Show();
        var converged = cluster.Members.All(m => m.Values == 10);
        Say(converged
            ? "done: every member applied the same 10 values; the crash lost nothing committed"
            : "FAILED: the members did not converge on the 10 committed values");
        return converged ? 0 : 1;
    }
}

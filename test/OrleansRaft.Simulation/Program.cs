using System.Diagnostics;
using OrleansRaft.Simulation;

// Runs a sweep of seeds and reports every failing one. Exit code 0 exactly when no seed failed.
var seeds = 100L;
var start = 1L;
var nodes = 3;
var faults = FaultMode.All;
var duration = 6000;
var trace = false;
var membership = false;
var quiescence = false;
var bugs = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
    switch (args[i])
    {
        case "--seeds": seeds = long.Parse(Next()); break;
        case "--start": start = long.Parse(Next()); break;
        case "--nodes": nodes = int.Parse(Next()); break;
        case "--faults": faults = FaultModeNames.Parse(Next()); break;
        case "--duration": duration = int.Parse(Next()); break;
        case "--trace": trace = true; break;
        case "--membership": membership = true; break;
        case "--quiescence": quiescence = true; break;
        case "--inject-bug": bugs.Add(Next()); break;
        case "--help" or "-h":
            Console.WriteLine("usage: --seeds N [--start S] [--nodes 3|5] [--faults none|net|crash|all] [--duration T] [--membership] [--quiescence] [--trace] [--inject-bug vote-twice|commit-old-term|stale-reads|overlapping-conf-changes|no-liveness-wake]");
            return 0;
        default:
            Console.Error.WriteLine($"unknown argument '{args[i]}'; try --help");
            return 2;
    }
}

try
{
    // Reject an unknown bug name before the sweep starts.
    bugs.Aggregate(new SimulationConfig(start), InjectedBugNames.Apply);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

if (nodes is not (3 or 5))
{
    Console.Error.WriteLine($"--nodes must be 3 or 5, not {nodes}");
    return 2;
}

var stopwatch = Stopwatch.StartNew();
long passed = 0, failed = 0, steps = 0, delivered = 0, committed = 0;
for (var seed = start; seed < start + seeds; seed++)
{
    var config = bugs.Aggregate(
        new SimulationConfig(seed, nodes, faults, duration) { Membership = membership, Quiescence = quiescence, Trace = trace ? Console.WriteLine : null },
        InjectedBugNames.Apply);
    var result = new Simulation(config).Run();
    steps += result.Steps;
    delivered += result.Delivered;
    committed += result.Committed;
    if (result.Passed)
    {
        passed++;
    }
    else
    {
        failed++;
        // One line per failing seed; --trace replays it with every event and the full explanation.
        var detail = result.Detail ?? "";
        var firstLine = detail.Split('\n', 2)[0].TrimEnd();
        Console.WriteLine($"seed {seed} failed: {result.Property}: {firstLine}");
        if (trace && firstLine.Length < detail.Length)
        {
            Console.WriteLine(detail);
        }
    }
}

var seconds = stopwatch.Elapsed.TotalSeconds;
Console.WriteLine(
    $"nodes={nodes} faults={faults.Name()}{(membership ? " membership" : "")} seeds={seeds} time={seconds:F1}s " +
    $"steps/s={steps / seconds:F0} messages/s={delivered / seconds:F0} committed entries={committed}");
Console.WriteLine($"simulation: {passed} passed, {failed} failed");
return failed == 0 ? 0 : 1;

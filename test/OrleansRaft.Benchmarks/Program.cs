using OrleansRaft.Benchmarks;
using OrleansRaft.Benchmarks.Storage;
using OrleansRaft.Simulation;

// Prints benchmark figures. Each subcommand finishes in about a minute or less.
if (args.Length == 0 || args[0] is "--help" or "-h")
{
    PrintUsage();
    return args.Length == 0 ? 2 : 0;
}

var command = args[0];
if (command == "storage")
{
    return StorageBenchmark.Run(args[1..]);
}

if (command == "kv")
{
    return OrleansRaft.Benchmarks.KeyValue.KvBenchmark.Run(args[1..]);
}

if (command == "idle")
{
    return OrleansRaft.Benchmarks.Idle.IdleGroupsBenchmark.Run(args[1..]);
}

if (command == "groups")
{
    return OrleansRaft.Benchmarks.Groups.ManyGroupsBenchmark.Run(args[1..]);
}

if (command == "kill")
{
    return OrleansRaft.Benchmarks.Kill.SiloKillBenchmark.Run(args[1..]);
}

if (command == "raft")
{
    return OrleansRaft.Benchmarks.Raft.RaftBenchmark.Run(args[1..]);
}

var core = new CoreSettings([1, 16, 256, 1024], Rounds: 5, Warmup: TimeSpan.FromSeconds(2), Round: TimeSpan.FromSeconds(0.6), Profile: false, Verbose: false);
var sim = new SimulationSettings(Start: 1, Seeds: 100, Nodes: 3, Faults: FaultMode.All, Rounds: 5, Warmup: TimeSpan.FromSeconds(5));
try
{
    for (var i = 1; i < args.Length; i++)
    {
        string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
        switch (args[i])
        {
            case "--batch": core = core with { Batches = Next().Split(',').Select(int.Parse).ToArray() }; break;
            case "--rounds":
                var rounds = int.Parse(Next());
                core = core with { Rounds = rounds };
                sim = sim with { Rounds = rounds };
                break;
            case "--round-seconds": core = core with { Round = TimeSpan.FromSeconds(double.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture)) }; break;
            case "--warmup-seconds":
                var warmup = TimeSpan.FromSeconds(double.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture));
                core = core with { Warmup = warmup };
                sim = sim with { Warmup = warmup };
                break;
            case "--profile": core = core with { Profile = true }; break;
            case "--verbose": core = core with { Verbose = true }; break;
            case "--seeds": sim = sim with { Seeds = int.Parse(Next()) }; break;
            case "--start": sim = sim with { Start = long.Parse(Next()) }; break;
            case "--nodes": sim = sim with { Nodes = int.Parse(Next()) }; break;
            case "--faults": sim = sim with { Faults = ParseFaults(Next()) }; break;
            default: throw new ArgumentException($"unknown argument '{args[i]}'");
        }
    }

    if (core.Batches.Length == 0 || core.Batches.Any(b => b <= 0) || core.Rounds <= 0 || sim.Seeds <= 0 || sim.Nodes is not (3 or 5))
    {
        throw new ArgumentException("batch sizes, rounds and seeds must be positive, and --nodes 3 or 5");
    }
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine($"{e.Message}; try --help");
    return 2;
}

switch (command)
{
    case "core":
        return CoreBenchmark.Run(core);
    case "sim":
        return SimulationBenchmark.Run(sim);
    case "all":
        var coreExit = CoreBenchmark.Run(core);
        Console.WriteLine();
        var simExit = SimulationBenchmark.Run(sim);
        return Math.Max(coreExit, simExit);
    default:
        Console.Error.WriteLine($"unknown command '{command}'; try --help");
        return 2;
}

static FaultMode ParseFaults(string text) => text switch
{
    "none" => FaultMode.None,
    "net" => FaultMode.Network,
    "crash" => FaultMode.Crash,
    "all" => FaultMode.All,
    _ => throw new ArgumentException($"unknown fault mode '{text}': expected none, net, crash or all"),
};

static void PrintUsage() => Console.WriteLine(
    """
    usage: OrleansRaft.Benchmarks core|sim|storage|raft|kv|groups|idle|kill|all [options]
      core   committed entries/s and bytes allocated per entry of a 3-member group on one thread (no I/O),
             for several batch sizes, after checking that no member copies a payload
             --batch 1,16,256,1024  --rounds 5  --round-seconds 0.6  --warmup-seconds 2  --profile  --verbose
      sim    simulated time steps/s and seeds/s of the deterministic simulator, each round one sweep of the seeds
             --seeds 100  --start 1  --nodes 3|5  --faults none|net|crash|all  --rounds 5  --warmup-seconds 5
      storage  append entries/s, p50 and p99 of the durable log on PostgreSQL (ADO.NET grain storage), by batch
             size, by members writing at once and by log length; PostgreSQL from ORLEANSRAFT_POSTGRES or infra/postgres/local.sh
             --batch 1,16,256  --members 1,3,16  --lengths 0,100000,1000000  --round-seconds 3  --samples 300
      raft   proposals committed/s with p50 and p99 of a group on 3 in-process silos with PostgreSQL, by concurrent
             proposers, then fail-over times after killing the leader's silo under load
             --proposers 1,16,64  --round-seconds 5  --kills 3 (0 skips the fail-over)  --window MS (group-commit window)
      kv     the key-value store through KvClient on 3 in-process silos with PostgreSQL: put (256-byte values),
             linearizable get and serializable get with 1, 16 and 64 callers; ops/s, p50, p99, median of the runs,
             next to etcd 3.4's figures
             and entries per leader write; --window compares group-commit windows in ms (a fresh cluster each, alternating)
             --clients 1,16,64  --workloads put,get,stale  --runs 3  --seconds 10  --warmup-seconds 1  --window 0,1  --quick (1 run of 1 s)
      groups aggregate put throughput of many key-value groups next to one group's, in the same run: 3 in-process
             silos with PostgreSQL, G groups (and one more), the callers doing 256-byte puts spread over the G groups
             (a random group per put), then on the single group; ops/s, p50, p99 of both and the ratio spread / single
             --groups 100  --callers 64  --seconds 10  --warmup-seconds 1  --runs 3 (each run both phases, alternating the order)
      idle   the cost of idle key-value groups on 3 in-process silos with PostgreSQL: time to create N groups, to elect
             and to go quiet, then over an idle window the CPU of the silos and of PostgreSQL, Raft entries appended,
             rows written, commits, and managed memory per member
             --groups 31,300  --seconds 60  --no-quiescence (groups stay awake, for comparison)
             --kill (then kill the silo leading most groups: time until each of its groups has a new leader)
      kill   the local cluster of the README's start command (3 silo processes, PostgreSQL, mutual TLS) with N more
             key-value groups: once all are led, balanced and quiet, kill -9 of the silo process leading the most
             while 16 callers put to 100 random groups; time until each of its groups is led on a survivor (read
             from the survivors' /leaders.json), and what the puts saw; build src/OrleansRaft.Host in Release first
             --groups 1000  --runs 1 (each run a fresh cluster)  --logs DIR (keep each run's silo logs there)
      all    core, then sim
    exit code: 0, or 1 if a payload was copied or a simulated seed failed, or 2 for bad arguments
    """);

namespace OrleansRaft.Host.Launcher;

/// <summary>The launcher's own flags; every other argument goes to the configuration of each silo it starts.</summary>
internal sealed record LauncherArguments(string DataDir, int Silos, bool FreePorts, bool Help, string? Error)
{
    /// <summary>Each silo keeps its members' logs in a throwaway PostgreSQL of its own (<c>ConnectionStrings:RaftLog</c>).</summary>
    public bool PostgresPerSilo { get; init; }

    /// <summary>The silos' Orleans links run in cleartext, without the generated certificates (for local experiments).</summary>
    public bool Insecure { get; init; }

    public const string Usage =
        """
        usage: OrleansRaft.Host [--data-dir DIR] [--silos N] [--free-ports] [--postgres-per-silo] [--insecure] [--demo] [--Section:Key value ...]

          Without a PostgreSQL connection string (ConnectionStrings:Postgres), starts a local cluster: a throwaway
          PostgreSQL and N silos (default 3), each its own process, with their data in DIR (default .orleansraft).
          With one, runs one silo. --free-ports lets the system pick the silos' ports instead of 11111+, 30000+, 8080+.
          --postgres-per-silo gives each silo a throwaway PostgreSQL of its own for its members' logs (DIR/postgres-silo-N),
          beside the shared one of membership and group records. The silos' Orleans links (silo to silo, client to
          gateway) use mutual TLS with a throwaway authority and certificates made in DIR/tls, named in DIR/cluster.json;
          --insecure runs them in cleartext instead. --demo runs the Raft core demo alone. Other --Section:Key value
          pairs configure the silos (see README).
        """;

    public static LauncherArguments Parse(string[] args, out string[] rest)
    {
        var dataDir = ".orleansraft";
        var silos = 3;
        var freePorts = false;
        var perSilo = false;
        var insecure = false;
        var help = false;
        var others = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--data-dir" when i + 1 < args.Length:
                    dataDir = args[++i];
                    break;
                case "--silos" when i + 1 < args.Length:
                    if (!int.TryParse(args[++i], out silos) || silos < 1 || silos > 9)
                    {
                        rest = [];
                        return new LauncherArguments(dataDir, 3, false, false, $"--silos takes a number from 1 to 9, not '{args[i]}'.");
                    }

                    break;
                case "--data-dir" or "--silos":
                    rest = [];
                    return new LauncherArguments(dataDir, silos, freePorts, false, $"{args[i]} needs a value.");
                case "--free-ports":
                    freePorts = true;
                    break;
                case "--postgres-per-silo":
                    perSilo = true;
                    break;
                case "--insecure":
                    insecure = true;
                    break;
                case "--help" or "-h":
                    help = true;
                    break;
                default:
                    others.Add(args[i]);
                    break;
            }
        }

        rest = [.. others];
        return new LauncherArguments(Path.GetFullPath(dataDir), silos, freePorts, help, null) { PostgresPerSilo = perSilo, Insecure = insecure };
    }
}

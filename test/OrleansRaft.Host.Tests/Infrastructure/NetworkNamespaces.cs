using System.Diagnostics;
using OrleansRaft.TestSupport;

namespace OrleansRaft.Host.Tests.Infrastructure;

/// <summary>
/// Network namespaces that stand in for machines, made by infra/netns/netns.sh: namespace k (1..count) has address
/// <c>{prefix}.{k+1}</c> on a bridge in this namespace, which keeps <see cref="HostAddress"/>. The names are unique per
/// instance, so that parallel runs do not collide. Everything is removed, every process inside the namespaces killed
/// included, by <see cref="Dispose"/>, at the process's exit, and by a watchdog (<c>netns.sh down-on-eof</c>) should the
/// process die before either.
/// </summary>
internal sealed class NetworkNamespaces : IDisposable
{
    public const string FlagVariable = "ORLEANSRAFT_NETNS_TESTS";

    private static readonly string Script = RepositoryRoot.Combine("infra", "netns", "netns.sh");

    private readonly Process _watchdog;
    private readonly IDisposable _atExit;

    private NetworkNamespaces(string name, Process watchdog)
    {
        Name = name;
        _watchdog = watchdog;
        _atExit = ExitCleanup.Register($"the network namespaces {name}-*", Remove);
    }

    public string Name { get; }

    /// <summary>The first three numbers of the bridge's /24.</summary>
    public string Prefix { get; private set; } = "";

    /// <summary>The bridge's address, in this namespace: where a server every namespace reaches listens.</summary>
    public string HostAddress => $"{Prefix}.1";

    public string Subnet => $"{Prefix}.0/24";

    public string Address(int k) => $"{Prefix}.{k + 1}";

    /// <summary>The command that runs a program in namespace <paramref name="k"/>.</summary>
    public string[] Exec(int k) => ["netns", "exec", $"{Name}-{k}"];

    /// <summary>
    /// Creates <paramref name="count"/> namespaces, or fails saying why they cannot be: this needs root and iproute2,
    /// which netns.sh installs when it is missing.
    /// </summary>
    public static NetworkNamespaces Create(int count)
    {
        var uid = ChildProcess.Run("id", ["-u"]);
        if (uid.Stdout.Trim() != "0")
        {
            throw new InvalidOperationException($"{FlagVariable}=1 asks for the network namespace tests, which need root; this runs as uid {uid.Stdout.Trim()}.");
        }

        Check(Run("install"), "install iproute2");
        var name = "orn" + Convert.ToHexString(BitConverter.GetBytes(Random.Shared.Next())).ToLowerInvariant()[..6];
        // setsid: a Ctrl-C at the terminal, which ends this process, must not end the watchdog with it.
        var watchdog = Process.Start(new ProcessStartInfo("setsid")
        {
            ArgumentList = { "bash", Script, "down-on-eof", name },
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        }) ?? throw new InvalidOperationException("setsid could not be started.");
        var namespaces = new NetworkNamespaces(name, watchdog);
        try
        {
            var up = Check(Run("up", name, count.ToString()), $"create {count} namespaces");
            namespaces.Prefix = up.Lines[^1].Trim();
            return namespaces;
        }
        catch
        {
            namespaces.Dispose();
            throw;
        }
    }

    /// <summary>Takes namespace <paramref name="k"/> off the network: its end of the bridge goes down.</summary>
    public void Cut(int k) => Check(Run("cut", Name, k.ToString()), $"cut namespace {k}");

    public void Heal(int k) => Check(Run("heal", Name, k.ToString()), $"heal namespace {k}");

    public void Dispose() => _atExit.Dispose();

    private void Remove()
    {
        try
        {
            Check(Run("down", Name), "remove the namespaces");
        }
        finally
        {
            // Let go: the watchdog finds nothing left and exits.
            _watchdog.StandardInput.Close();
            _watchdog.Dispose();
        }
    }

    private static ProcessRun Run(params string[] arguments) =>
        ChildProcess.Run("bash", [Script, .. arguments], new ChildProcessOptions { Bound = TimeSpan.FromMinutes(5) });

    private static ProcessRun Check(ProcessRun run, string what) =>
        run.ExitCode == 0 ? run : throw new InvalidOperationException($"netns.sh could not {what}:\n{run}");
}

/// <summary>A test that runs only when <see cref="NetworkNamespaces.FlagVariable"/> is 1: it needs root and makes network namespaces.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class NetnsFactAttribute : FactAttribute
{
    public NetnsFactAttribute()
    {
        if (Environment.GetEnvironmentVariable(NetworkNamespaces.FlagVariable) != "1")
        {
            Skip = $"needs root and network namespaces: set {NetworkNamespaces.FlagVariable}=1 to run it";
        }
    }
}

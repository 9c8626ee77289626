using OrleansRaft.Host;
using OrleansRaft.Host.Demo;
using OrleansRaft.Host.Launcher;
using OrleansRaft.Host.Silo;

// With a PostgreSQL connection string configured, this process is one silo. Without one, it is the launcher of a
// local cluster: a throwaway PostgreSQL and three silos, each a child process of this same program.
if (args.Contains("--demo"))
{
    return await CoreDemo.RunAsync();
}

var launcher = LauncherArguments.Parse(args, out var rest);
if (launcher.Error is not null)
{
    Console.Error.WriteLine(launcher.Error);
    Console.Error.WriteLine(LauncherArguments.Usage);
    return 2;
}

if (launcher.Help)
{
    Console.WriteLine(LauncherArguments.Usage);
    return 0;
}

var connectionString = HostConfiguration.PostgresConnectionString(HostConfiguration.Build(rest));
return connectionString is null
    ? await new LocalCluster(launcher, rest).RunAsync()
    : await SiloHost.RunAsync(rest, connectionString);

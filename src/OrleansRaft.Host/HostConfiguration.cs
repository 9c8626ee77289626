using Microsoft.Extensions.Configuration;

namespace OrleansRaft.Host;

/// <summary>
/// Where the host's settings come from, later sources winning: <c>appsettings.json</c> beside the program, environment
/// variables prefixed <see cref="EnvironmentPrefix"/> (<c>ORLEANSRAFT_Silo__Port=11112</c>), then the command line
/// (<c>--Silo:Port 11112</c>).
/// </summary>
internal static class HostConfiguration
{
    public const string EnvironmentPrefix = "ORLEANSRAFT_";

    /// <summary>The key of the PostgreSQL connection string; it is read from configuration only and never logged.</summary>
    public const string PostgresKey = "ConnectionStrings:Postgres";

    /// <summary>
    /// The key of the connection string of the Raft logs (members' storage) when they live apart from the shared
    /// database, for example in a PostgreSQL of each silo's own; read and kept as <see cref="PostgresKey"/> is.
    /// </summary>
    public const string RaftLogKey = "ConnectionStrings:RaftLog";

    /// <summary>
    /// The section of the Orleans links' mutual TLS (<see cref="Security.RaftTlsOptions"/>): silo to silo and client to
    /// gateway. Absent: the links are cleartext.
    /// </summary>
    public const string OrleansTlsSection = "Orleans:Tls";

    public static IConfigurationBuilder AddHostSources(this IConfigurationBuilder builder, string[] args) =>
        builder
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true, reloadOnChange: false)
            .AddEnvironmentVariables(EnvironmentPrefix)
            .AddCommandLine(args);

    public static IConfiguration Build(string[] args) => new ConfigurationBuilder().AddHostSources(args).Build();

    public static string? PostgresConnectionString(IConfiguration configuration)
    {
        var value = configuration[PostgresKey];
        return string.IsNullOrWhiteSpace(value) ? null : value;
    }

    /// <summary>The Raft logs' own connection string, or null when they share <see cref="PostgresKey"/>'s database.</summary>
    public static string? RaftLogConnectionString(IConfiguration configuration, string postgres)
    {
        var value = configuration[RaftLogKey];
        return string.IsNullOrWhiteSpace(value) || value == postgres ? null : value;
    }
}

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
}

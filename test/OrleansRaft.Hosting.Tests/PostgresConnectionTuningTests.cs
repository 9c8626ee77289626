using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using OrleansRaft.Hosting.Storage;

namespace OrleansRaft.Hosting.Tests;

/// <summary>The log's connections skip the pool reset and prepare their statements, unless the caller's connection string says otherwise.</summary>
public sealed class PostgresConnectionTuningTests
{
    private const string Given = "Host=127.0.0.1;Port=5433;Username=raft;Password=secret;Database=logs;Maximum Pool Size=40";

    [Fact]
    public void A_connection_string_without_the_settings_gets_them_and_keeps_everything_else()
    {
        var tuned = new NpgsqlConnectionStringBuilder(PostgresConnectionTuning.Apply(Given));

        Assert.True(tuned.NoResetOnClose);
        Assert.Equal(PostgresConnectionTuning.MaxAutoPrepare, tuned.MaxAutoPrepare);
        Assert.Equal(PostgresConnectionTuning.AutoPrepareMinUsages, tuned.AutoPrepareMinUsages);
        Assert.Equal(("127.0.0.1", 5433, "raft", "secret", "logs", 40), (tuned.Host, tuned.Port, tuned.Username, tuned.Password, tuned.Database, tuned.MaxPoolSize));
    }

    [Theory]
    [InlineData("No Reset On Close=false;Max Auto Prepare=0;Auto Prepare Min Usages=9")]
    [InlineData("noresetonclose=False;MAXAUTOPREPARE=0;autoprepareminusages=9")]
    public void Settings_the_caller_gave_are_kept_under_any_spelling(string settings)
    {
        var tuned = new NpgsqlConnectionStringBuilder(PostgresConnectionTuning.Apply($"{Given};{settings}"));

        Assert.False(tuned.NoResetOnClose);
        Assert.Equal(0, tuned.MaxAutoPrepare);
        Assert.Equal(9, tuned.AutoPrepareMinUsages);
    }

    [Fact]
    public void A_setting_the_caller_gave_leaves_the_others_to_be_added()
    {
        var tuned = new NpgsqlConnectionStringBuilder(PostgresConnectionTuning.Apply($"{Given};Max Auto Prepare=5"));

        Assert.True(tuned.NoResetOnClose);
        Assert.Equal(5, tuned.MaxAutoPrepare);
        Assert.Equal(PostgresConnectionTuning.AutoPrepareMinUsages, tuned.AutoPrepareMinUsages);
    }

    [Fact]
    public void The_raft_storage_provider_connects_with_the_tuned_connection_string()
    {
        using var host = new HostBuilder().UseOrleans(silo => silo.AddRaftPostgresStorage("raft", Given, applySchema: false)).Build();

        var options = host.Services.GetRequiredService<IOptionsMonitor<AdoNetGrainStorageOptions>>().Get("raft");

        Assert.Equal(PostgresConnectionTuning.Apply(Given), options.ConnectionString);
    }
}

using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using OrleansRaft.Abstractions;
using OrleansRaft.Hosting.Groups;
using OrleansRaft.Hosting.Tests.Infrastructure;
using OrleansRaft.Testing;

namespace OrleansRaft.Hosting.Tests;

/// <summary>What a silo checks as it starts, and the groups it creates once it runs (<c>AddRaftGroup</c>).</summary>
public sealed class SiloStartTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_silo_without_the_storage_provider_refuses_to_start_and_names_the_fix()
    {
        var failure = await StartFailsAsync(silo => silo.AddOrleansRaft(o => o.StorageProviderName = "ledger-logs"));

        Assert.Contains("OrleansRaft needs the grain storage provider 'ledger-logs'", failure);
        Assert.Contains("AddRaftPostgresBatchingStorage(\"ledger-logs\"", failure);
    }

    [Fact]
    public async Task Orleans_memory_storage_is_refused_outside_test_mode()
    {
        var failure = await StartFailsAsync(silo => silo.AddMemoryGrainStorage("raft").AddOrleansRaft());

        Assert.Contains("OrleansRaft refuses the grain storage provider 'raft': Orleans' memory storage", failure);
        Assert.Contains("AllowVolatileStorage", failure);
    }

    [Fact]
    public async Task Orleans_memory_storage_starts_in_test_mode()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) => silo.AddMemoryGrainStorage("raft").AddOrleansRaft(o => o.AllowVolatileStorage = true));
        await using var cluster = builder.Build();

        await cluster.DeployAsync();

        Assert.Single(cluster.Silos);
    }

    [Fact]
    public async Task A_configured_group_whose_state_machine_is_not_registered_refuses_the_silo()
    {
        var storage = new RaftTestStorage();
        var failure = await StartFailsAsync(silo =>
        {
            silo.Services.AddKeyedSingleton<Orleans.Storage.IGrainStorage>("raft", storage);
            silo.AddOrleansRaft().AddRaftGroup("bank", [1, 2, 3], "ledger");
        });

        Assert.Contains("The Raft group 'bank' (AddRaftGroup) runs the state machine 'ledger', which this silo does not register", failure);
    }

    [Fact]
    public async Task A_group_definition_without_members_is_refused()
    {
        var failure = await StartFailsAsync(silo => silo.AddRaftGroup("bank", [], SequenceStateMachine.TypeName));

        Assert.Contains("The Raft group 'bank' needs at least one member, with distinct positive ids", failure);
    }

    [Fact]
    public async Task AddRaftGroup_creates_the_group_once_the_silos_are_active_with_one_member_per_silo()
    {
        ulong[] members = [1, 2, 3];
        var builder = new InProcessTestClusterBuilder(3);
        builder.Options.ConfigureFileLogging = false;
        builder.AddOrleansRaft(o => o.AdminToken = RaftCluster.AdminToken);
        builder.ConfigureSilo((_, silo) => silo
            .AddRaftStateMachine<SequenceStateMachine>(SequenceStateMachine.TypeName)
            .AddRaftGroup("bank", members, SequenceStateMachine.TypeName));
        await using var cluster = builder.Build();
        await cluster.DeployAsync();

        foreach (var silo in cluster.Silos)
        {
            await silo.SiloHost.Services.GetRequiredService<RaftGroupStartup>().GroupsCreated.WaitAsync(Bound);
        }

        var info = await cluster.Client.GetGrain<IRaftGroupGrain>("bank").GetAsync();
        Assert.Equal(members, info!.Members);
        Assert.Equal(SequenceStateMachine.TypeName, info.StateMachineType);
        await cluster.WaitForLeaderAsync("bank", members, Bound);
        var statuses = await cluster.Client.ResolveMembersAsync("bank", members, Bound);
        Assert.Equal(3, statuses.Select(s => s.Silo).Distinct().Count());
    }

    /// <summary>Starts one silo configured by <paramref name="configure"/>, expects it to fail, and returns what it said.</summary>
    private static async Task<string> StartFailsAsync(Action<ISiloBuilder> configure)
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) => configure(silo));
        var cluster = builder.Build();
        try
        {
            var failure = await Assert.ThrowsAnyAsync<Exception>(() => cluster.DeployAsync());
            return failure.ToString();
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }
}

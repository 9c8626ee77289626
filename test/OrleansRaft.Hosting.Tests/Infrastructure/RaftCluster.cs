using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;
using OrleansRaft.Abstractions;
using OrleansRaft.Hosting.Configuration;
using OrleansRaft.Hosting.Transport;

namespace OrleansRaft.Hosting.Tests.Infrastructure;

/// <summary>
/// An in-process Orleans cluster hosting Raft groups, with one storage provider and one fault injector shared by all
/// silos, and the waits the suites need. Every wait is on a condition, bounded by a deadline.
/// </summary>
public sealed class RaftCluster : IAsyncDisposable
{
    public const string StorageName = "raft";

    private RaftCluster(InProcessTestCluster cluster, RaftFaultInjector faults)
    {
        Cluster = cluster;
        Faults = faults;
    }

    public InProcessTestCluster Cluster { get; }

    public RaftFaultInjector Faults { get; }

    public IClusterClient Client => Cluster.Client;

    /// <summary>
    /// Starts <paramref name="silos"/> silos. <paramref name="addStorage"/> registers the provider named
    /// <see cref="StorageName"/> on each; by default one <see cref="SharedMemoryGrainStorage"/> for all.
    /// </summary>
    public static async Task<RaftCluster> StartAsync(
        int silos,
        Action<ISiloBuilder>? addStorage = null,
        Action<OrleansRaftOptions>? configure = null,
        string? serviceId = null)
    {
        var faults = new RaftFaultInjector();
        SharedMemoryGrainStorage? shared = null;
        if (addStorage is null)
        {
            shared = new SharedMemoryGrainStorage();
            addStorage = silo => silo.Services.AddKeyedSingleton<IGrainStorage>(StorageName, shared);
        }

        var builder = new InProcessTestClusterBuilder((short)silos);
        builder.Options.ConfigureFileLogging = false;
        if (serviceId is not null)
        {
            // Durable providers key their rows by service id: a cluster that resumes another's data must share it.
            builder.Options.ServiceId = serviceId;
        }
        builder.ConfigureSilo((_, silo) =>
        {
            addStorage(silo);
            silo.AddOrleansRaft(o =>
            {
                o.StorageProviderName = StorageName;
                configure?.Invoke(o);
            });
            silo.AddRaftStateMachine<SequenceStateMachine>(SequenceStateMachine.TypeName);
            silo.AddRaftMessageFilter(faults);
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        await MembershipReadiness.WaitForAllActiveAsync(cluster, TimeSpan.FromSeconds(30));
        return new RaftCluster(cluster, faults) { SharedStorage = shared };
    }

    /// <summary>The storage shared by the silos, when the cluster uses the default.</summary>
    public SharedMemoryGrainStorage? SharedStorage { get; private init; }

    public IRaftMemberGrain Member(string groupId, ulong id) => Client.GetGrain<IRaftMemberGrain>(RaftMemberKey.Format(groupId, id));

    public IRaftGroupGrain Group(string groupId) => Client.GetGrain<IRaftGroupGrain>(groupId);

    public async Task<ulong[]> CreateGroupAsync(string groupId, int members)
    {
        var ids = Enumerable.Range(1, members).Select(i => (ulong)i).ToArray();
        await Group(groupId).CreateAsync(new RaftGroupSpec(ids, SequenceStateMachine.TypeName));
        return ids;
    }

    /// <summary>Waits until one member of <paramref name="members"/> leads and a quorum of them agrees on it; returns it.</summary>
    public async Task<RaftMemberStatus> WaitForLeaderAsync(string groupId, IReadOnlyList<ulong> members, TimeSpan timeout, ulong notThis = 0)
    {
        RaftMemberStatus? found = null;
        await WaitUntilAsync(async () =>
        {
            var statuses = await StatusesAsync(groupId, members);
            var leaders = statuses.Where(s => s is { Role: RaftMemberRole.Leader } && s.MemberId != notThis).OrderByDescending(s => s!.Term).ToList();
            if (leaders.Count == 0)
            {
                return false;
            }

            var leader = leaders[0]!;
            var agreeing = statuses.Count(s => s is not null && s.Term == leader.Term && s.Leader == leader.MemberId);
            found = leader;
            return agreeing > members.Count / 2;
        }, timeout, $"a leader of {groupId}");
        return found!;
    }

    /// <summary>Each member's status, or null for members that do not answer right now.</summary>
    public async Task<RaftMemberStatus?[]> StatusesAsync(string groupId, IReadOnlyList<ulong> members) =>
        await Task.WhenAll(members.Select(async m =>
        {
            try
            {
                return await Member(groupId, m).GetStatusAsync().WaitAsync(TimeSpan.FromSeconds(2));
            }
            catch (Exception e) when (e is TimeoutException or OrleansException or InvalidOperationException or SiloUnavailableException)
            {
                return null;
            }
        }));

    /// <summary>Proposes through whichever member leads, following hints and retrying until <paramref name="timeout"/>.</summary>
    public async Task<RaftProposeResult> ProposeAsync(string groupId, IReadOnlyList<ulong> members, byte[] command, TimeSpan timeout, ulong hint = 0)
    {
        var deadline = Stopwatch.StartNew();
        var target = hint != 0 ? hint : members[0];
        var attempt = 0;
        while (true)
        {
            try
            {
                var result = await Member(groupId, target).ProposeAsync(command).WaitAsync(TimeSpan.FromSeconds(3));
                if (result.IsOk)
                {
                    return result;
                }

                target = result.LeaderHint != 0 && result.Status == RaftRequestStatus.NotLeader ? result.LeaderHint : members[++attempt % members.Count];
            }
            catch (Exception e) when (e is TimeoutException or OrleansException or InvalidOperationException or SiloUnavailableException)
            {
                target = members[++attempt % members.Count];
            }

            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"No proposal to {groupId} succeeded within {timeout}.");
            }

            if (attempt > 0 && attempt % members.Count == 0)
            {
                // Every member was tried: give an election a moment before the next round.
                await Task.Delay(50);
            }
        }
    }

    /// <summary>The sequence member <paramref name="id"/>'s state machine applied, read locally.</summary>
    public async Task<List<RaftCommittedEntry>> AppliedAsync(string groupId, ulong id) =>
        SequenceStateMachine.Decode((await Member(groupId, id).ReadLocalAsync(ReadOnlyMemory<byte>.Empty)).Result);

    public InProcessSiloHandle SiloOf(RaftMemberStatus status) =>
        Cluster.Silos.Single(s => s.SiloAddress.ToString() == status.Silo);

    /// <summary>Polls <paramref name="condition"/> every 20 ms until it holds; fails the test after <paramref name="timeout"/>.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"Waited {timeout} for {what}.");
            }

            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}

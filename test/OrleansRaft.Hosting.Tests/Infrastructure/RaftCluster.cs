using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.TestingHost;
using OrleansRaft.Testing;
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

    /// <summary>The admin token every silo is configured with, unless a test's <c>configure</c> sets another.</summary>
    public const string AdminToken = "hosting-tests-admin-token";

    private readonly ConcurrentDictionary<string, bool> _created = new();

    private RaftCluster(InProcessTestCluster cluster, RaftFaultInjector faults, RecordedLogs logs)
    {
        Cluster = cluster;
        Faults = faults;
        Logs = logs;
    }

    public InProcessTestCluster Cluster { get; }

    public RaftFaultInjector Faults { get; }

    /// <summary>What the silos logged (see <see cref="RecordedLogs"/> for which levels).</summary>
    public RecordedLogs Logs { get; }

    public IClusterClient Client => Cluster.Client;

    /// <summary>
    /// Starts <paramref name="silos"/> silos. <paramref name="addStorage"/> registers the provider named
    /// <see cref="StorageName"/> on each; by default one <see cref="RaftTestStorage"/> for all.
    /// </summary>
    public static async Task<RaftCluster> StartAsync(
        int silos,
        Action<ISiloBuilder>? addStorage = null,
        Action<OrleansRaftOptions>? configure = null,
        string? serviceId = null)
    {
        var logs = new RecordedLogs();
        var builder = new InProcessTestClusterBuilder((short)silos);
        builder.Options.ConfigureFileLogging = false;
        if (serviceId is not null)
        {
            // Durable providers key their rows by service id: a cluster that resumes another's data must share it.
            builder.Options.ServiceId = serviceId;
        }

        void Configure(OrleansRaftOptions o)
        {
            o.StorageProviderName = StorageName;
            o.AdminToken = AdminToken;
            configure?.Invoke(o);
        }

        RaftTestStorage? shared = null;
        RaftFaultInjector faults;
        if (addStorage is null)
        {
            var harness = builder.AddOrleansRaft(Configure);
            (shared, faults) = (harness.Storage, harness.Faults);
        }
        else
        {
            faults = new RaftFaultInjector();
            builder.ConfigureSilo((_, silo) =>
            {
                addStorage(silo);
                silo.AddOrleansRaft(Configure);
                silo.AddRaftMessageFilter(faults);
            });
        }

        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddLogging(logging => logging.AddProvider(logs));
            silo.AddRaftStateMachine<SequenceStateMachine>(SequenceStateMachine.TypeName);
            silo.AddRaftStateMachine<TallyStateMachine>(TallyStateMachine.TypeName);
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        await cluster.WaitForMembershipAsync(TimeSpan.FromSeconds(30));
        return new RaftCluster(cluster, faults, logs) { SharedStorage = shared };
    }

    /// <summary>The storage shared by the silos, when the cluster uses the default.</summary>
    public RaftTestStorage? SharedStorage { get; private init; }

    public IRaftMemberGrain Member(string groupId, ulong id) => Client.GetGrain<IRaftMemberGrain>(RaftMemberKey.Format(groupId, id));

    public IRaftGroupGrain Group(string groupId) => Client.GetGrain<IRaftGroupGrain>(groupId);

    /// <summary>Creates a group of members 1..<paramref name="members"/> running <see cref="SequenceStateMachine"/> unless <paramref name="stateMachineType"/> names another.</summary>
    public async Task<ulong[]> CreateGroupAsync(string groupId, int members, string stateMachineType = SequenceStateMachine.TypeName)
    {
        var ids = Enumerable.Range(1, members).Select(i => (ulong)i).ToArray();
        _created[groupId] = true;
        await Group(groupId).CreateAsync(new RaftGroupSpec(ids, stateMachineType), AdminToken);
        return ids;
    }

    /// <summary>Deletes every group <see cref="CreateGroupAsync"/> created that still exists.</summary>
    public async Task DeleteCreatedGroupsAsync()
    {
        foreach (var groupId in _created.Keys.ToList())
        {
            await Group(groupId).DeleteAsync(AdminToken);
            _created.TryRemove(groupId, out _);
        }
    }

    /// <summary>Waits until one member of <paramref name="members"/> leads and a quorum of them agrees on it; returns it.</summary>
    public Task<RaftMemberStatus> WaitForLeaderAsync(string groupId, IReadOnlyList<ulong> members, TimeSpan timeout, ulong notThis = 0) =>
        Cluster.WaitForLeaderAsync(groupId, members, timeout, notThis);

    /// <summary>Each member's status, or null for members that do not answer right now.</summary>
    public Task<RaftMemberStatus?[]> StatusesAsync(string groupId, IReadOnlyList<ulong> members) => Client.MemberStatusesAsync(groupId, members);

    /// <summary>Waits until every member answers and is quiet; returns their statuses.</summary>
    public async Task<RaftMemberStatus[]> WaitUntilQuietAsync(string groupId, IReadOnlyList<ulong> members, TimeSpan timeout)
    {
        RaftMemberStatus[] quiet = [];
        await WaitUntilAsync(async () =>
        {
            quiet = [.. (await StatusesAsync(groupId, members)).OfType<RaftMemberStatus>()];
            return quiet.Length == members.Count && quiet.All(s => s.Quiescent);
        }, timeout, $"every member of {groupId} to be quiet");
        return quiet;
    }

    /// <summary>Proposes through whichever member leads, following hints and retrying until <paramref name="timeout"/>.</summary>
    public Task<RaftProposeResult> ProposeAsync(string groupId, IReadOnlyList<ulong> members, byte[] command, TimeSpan timeout, ulong hint = 0) =>
        ThroughLeaderAsync(groupId, members, m => m.ProposeAsync(command), r => (r.Status, r.LeaderHint), timeout, hint, "proposal");

    /// <summary>
    /// Proposes the commands <paramref name="from"/> to <paramref name="to"/> - 1 (each an int), <paramref name="concurrency"/>
    /// at a time, through <see cref="ProposeAsync"/>; returns each command with its answer.
    /// </summary>
    public async Task<List<(int Command, RaftProposeResult Result)>> ProposeRangeAsync(
        string groupId, IReadOnlyList<ulong> members, int from, int to, int concurrency, TimeSpan timeout, ulong hint = 0)
    {
        var results = new List<(int, RaftProposeResult)>();
        var next = from - 1;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); i < to; i = Interlocked.Increment(ref next))
            {
                var result = await ProposeAsync(groupId, members, BitConverter.GetBytes(i), timeout, hint);
                lock (results)
                {
                    results.Add((i, result));
                }
            }
        }));
        return results;
    }

    /// <summary>A linearizable read through whichever member leads, following hints and retrying until <paramref name="timeout"/>.</summary>
    public Task<RaftReadResult> ReadAsync(string groupId, IReadOnlyList<ulong> members, TimeSpan timeout, ulong hint = 0) =>
        ThroughLeaderAsync(groupId, members, m => m.ReadAsync(ReadOnlyMemory<byte>.Empty), r => (r.Status, r.LeaderHint), timeout, hint, "read");

    /// <summary>
    /// Sends <paramref name="request"/> to <paramref name="hint"/> (or the first member), then to the leader a NotLeader
    /// answer names, else to the next member, until one answers Ok. A retried proposal may commit twice.
    /// </summary>
    private async Task<T> ThroughLeaderAsync<T>(
        string groupId,
        IReadOnlyList<ulong> members,
        Func<IRaftMemberGrain, Task<T>> request,
        Func<T, (RaftRequestStatus Status, ulong LeaderHint)> outcome,
        TimeSpan timeout,
        ulong hint,
        string what)
    {
        var deadline = Stopwatch.StartNew();
        var target = hint != 0 ? hint : members[0];
        var attempt = 0;
        while (true)
        {
            try
            {
                var result = await request(Member(groupId, target)).WaitAsync(TimeSpan.FromSeconds(3));
                var (status, leaderHint) = outcome(result);
                if (status == RaftRequestStatus.Ok)
                {
                    return result;
                }

                target = leaderHint != 0 && status == RaftRequestStatus.NotLeader ? leaderHint : members[++attempt % members.Count];
            }
            catch (Exception e) when (e is TimeoutException or OrleansException or InvalidOperationException or SiloUnavailableException or RaftMemberNotFoundException or RaftStorageUnavailableException)
            {
                // A member removed from the group answers RaftMemberNotFoundException: another member leads now.
                target = members[++attempt % members.Count];
            }

            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"No {what} of {groupId} succeeded within {timeout}.");
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

    public InProcessSiloHandle SiloOf(RaftMemberStatus status) => Cluster.SiloOf(status);

    /// <inheritdoc cref="RaftTestClusterExtensions.ResolveMembersAsync"/>
    public Task<RaftMemberStatus[]> ResolveMembersAsync(string groupId, IReadOnlyList<ulong> members, TimeSpan timeout) =>
        Client.ResolveMembersAsync(groupId, members, timeout);

    /// <summary>Kills the silos at once: each host stops with its cancellation already requested, as in a crash.</summary>
    public async Task KillSilosAsync(IEnumerable<InProcessSiloHandle> silos) =>
        await Task.WhenAll(silos.Distinct().ToList().Select(s => Cluster.KillSiloAsync(s)));

    /// <summary>
    /// Starts a silo in place of a killed one and waits until every silo sees exactly the live silos as active, so that
    /// placement no longer offers a killed silo.
    /// </summary>
    public async Task<InProcessSiloHandle> StartSiloAsync(TimeSpan timeout)
    {
        var silo = await Cluster.StartAdditionalSiloAsync();
        await Cluster.WaitForMembershipAsync(timeout);
        return silo;
    }

    /// <summary>
    /// Waits until every member answers and all applied the same sequence, of at least <paramref name="atLeast"/> commands;
    /// returns that sequence.
    /// </summary>
    public async Task<List<RaftCommittedEntry>> WaitForConvergenceAsync(string groupId, IReadOnlyList<ulong> members, int atLeast, TimeSpan timeout)
    {
        List<RaftCommittedEntry> agreed = [];
        await WaitUntilAsync(async () =>
        {
            var applied = await Task.WhenAll(members.Select(async m =>
            {
                try
                {
                    return await AppliedAsync(groupId, m).WaitAsync(TimeSpan.FromSeconds(2));
                }
                catch (Exception e) when (e is TimeoutException or OrleansException or InvalidOperationException or SiloUnavailableException or RaftStorageUnavailableException)
                {
                    return null;
                }
            }));
            if (applied.Any(a => a is null || a.Count < atLeast))
            {
                return false;
            }

            var first = applied[0]!.Select(Signature).ToList();
            if (!applied.All(a => a!.Select(Signature).SequenceEqual(first)))
            {
                return false;
            }

            agreed = applied[0]!;
            return true;
        }, timeout, $"every member of {groupId} to apply the same sequence of at least {atLeast} commands");
        return agreed;
    }

    /// <summary>What identifies an applied command: its position, its term and its bytes.</summary>
    private static (ulong Index, ulong Term, string Data) Signature(RaftCommittedEntry entry) =>
        (entry.Index, entry.Term, Convert.ToHexString(entry.Data.Span));

    /// <inheritdoc cref="RaftWait.UntilAsync"/>
    public static Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what) => RaftWait.UntilAsync(condition, timeout, what);

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}

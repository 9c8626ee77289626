using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using OrleansRaft.Abstractions;

namespace OrleansRaft.Testing;

/// <summary>Waits and faults on an <see cref="InProcessTestCluster"/> that hosts Raft groups. Every wait is bounded.</summary>
public static class RaftTestClusterExtensions
{
    /// <summary>How long one status call may take before its member counts as not answering.</summary>
    private static readonly TimeSpan StatusCallTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Waits until every silo of the cluster sees exactly the cluster's live silos as active. Placement asks the local
    /// silo's view of the membership: a group created before the views converge can get two members on one silo, and
    /// after a kill, a view that still lists the dead silo can place a member there.
    /// </summary>
    public static Task WaitForMembershipAsync(this InProcessTestCluster cluster, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        return RaftWait.UntilAsync(() =>
        {
            var silos = cluster.Silos.ToList();
            return Task.FromResult(silos.All(silo =>
                silo.SiloHost.Services.GetRequiredService<IClusterMembershipService>().CurrentSnapshot.Members.Values
                    .Count(m => m.Status == SiloStatus.Active) == silos.Count));
        }, timeout, $"each of the {cluster.Silos.Count} silos to see every other as active");
    }

    /// <summary>Each member's status, or null for a member that does not answer right now.</summary>
    public static async Task<RaftMemberStatus?[]> MemberStatusesAsync(this IGrainFactory grains, string groupId, IReadOnlyList<ulong> members)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(members);
        return await Task.WhenAll(members.Select(async m =>
        {
            try
            {
                return await grains.GetGrain<IRaftMemberGrain>(RaftMemberKey.Format(groupId, m)).GetStatusAsync().WaitAsync(StatusCallTimeout);
            }
            catch (Exception e) when (e is TimeoutException or OrleansException or InvalidOperationException or SiloUnavailableException or RaftStorageUnavailableException)
            {
                return null;
            }
        }));
    }

    /// <summary>
    /// Waits until a member of <paramref name="members"/> other than <paramref name="notThis"/> leads, and a quorum of
    /// them follows it in its term; returns its status.
    /// </summary>
    public static Task<RaftMemberStatus> WaitForLeaderAsync(
        this InProcessTestCluster cluster, string groupId, IReadOnlyList<ulong> members, TimeSpan timeout, ulong notThis = 0)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        return cluster.Client.WaitForLeaderAsync(groupId, members, timeout, notThis);
    }

    /// <inheritdoc cref="WaitForLeaderAsync(InProcessTestCluster, string, IReadOnlyList{ulong}, TimeSpan, ulong)"/>
    public static async Task<RaftMemberStatus> WaitForLeaderAsync(
        this IGrainFactory grains, string groupId, IReadOnlyList<ulong> members, TimeSpan timeout, ulong notThis = 0)
    {
        ArgumentNullException.ThrowIfNull(grains);
        RaftMemberStatus? found = null;
        await RaftWait.UntilAsync(async () =>
        {
            var statuses = await grains.MemberStatusesAsync(groupId, members);
            var leader = statuses
                .Where(s => s is { Role: RaftMemberRole.Leader } && s.MemberId != notThis)
                .OrderByDescending(s => s!.Term)
                .FirstOrDefault();
            if (leader is null)
            {
                return false;
            }

            found = leader;
            return statuses.Count(s => s is not null && s.Term == leader.Term && s.Leader == leader.MemberId) > members.Count / 2;
        }, timeout, $"a leader of the Raft group '{groupId}'{(notThis == 0 ? "" : $" other than member {notThis}")}");
        return found!;
    }

    /// <summary>
    /// Waits until every member answers, which resolves each one's activation, and returns their statuses. Do it
    /// before killing a silo: a call that must first look up where a member lives can hang until Orleans declares a
    /// killed silo dead, which is Orleans' failure detection, not Raft's fail-over.
    /// </summary>
    public static async Task<RaftMemberStatus[]> ResolveMembersAsync(this IGrainFactory grains, string groupId, IReadOnlyList<ulong> members, TimeSpan timeout)
    {
        RaftMemberStatus?[] statuses = [];
        await RaftWait.UntilAsync(async () =>
        {
            statuses = await grains.MemberStatusesAsync(groupId, members);
            return statuses.All(s => s is not null);
        }, timeout, $"every member of the Raft group '{groupId}' to answer");
        return [.. statuses.Select(s => s!)];
    }

    /// <summary>The live silo that hosts the member of <paramref name="status"/>.</summary>
    public static InProcessSiloHandle SiloOf(this InProcessTestCluster cluster, RaftMemberStatus status)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(status);
        return cluster.Silos.SingleOrDefault(s => s.SiloAddress.ToString() == status.Silo)
            ?? throw new InvalidOperationException($"Member {status.MemberId} runs on {status.Silo}, which is not a live silo of this cluster.");
    }

    /// <summary>
    /// Kills the silo that hosts member <paramref name="memberId"/> of <paramref name="groupId"/>, as in a crash (the host
    /// stops with its cancellation already requested), and returns that member's last status. Other members on the
    /// same silo die with it.
    /// </summary>
    public static async Task<RaftMemberStatus> KillMemberSiloAsync(this InProcessTestCluster cluster, string groupId, ulong memberId, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var status = (await cluster.Client.ResolveMembersAsync(groupId, [memberId], timeout))[0];
        await cluster.KillSiloAsync(cluster.SiloOf(status));
        return status;
    }

    /// <summary>Kills the silo of the group's current leader (see <see cref="KillMemberSiloAsync"/>); returns the old leader's status.</summary>
    public static async Task<RaftMemberStatus> KillLeaderSiloAsync(this InProcessTestCluster cluster, string groupId, IReadOnlyList<ulong> members, TimeSpan timeout)
    {
        var leader = await cluster.WaitForLeaderAsync(groupId, members, timeout);
        await cluster.Client.ResolveMembersAsync(groupId, members, timeout);
        await cluster.KillSiloAsync(cluster.SiloOf(leader));
        return leader;
    }
}

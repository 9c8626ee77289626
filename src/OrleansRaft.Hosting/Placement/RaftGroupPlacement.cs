using System.Buffers.Binary;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Orleans.Placement;
using Orleans.Runtime.Placement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Storage;
using OrleansRaft.Abstractions;
using OrleansRaft.Hosting.Configuration;
using OrleansRaft.Hosting.Groups;
using OrleansRaft.Hosting.Storage;

namespace OrleansRaft.Hosting.Placement;

/// <summary>Places the members of one Raft group on distinct silos whenever there are at least as many silos as members.</summary>
[GenerateSerializer, Immutable, Alias("orleansraft.group-placement")]
public sealed class RaftGroupPlacementStrategy : PlacementStrategy
{
    internal static readonly RaftGroupPlacementStrategy Instance = new();
}

/// <summary>Marks a grain keyed <c>{groupId}/{memberId}</c> for <see cref="RaftGroupPlacementStrategy"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class RaftGroupPlacementAttribute : PlacementAttribute
{
    public RaftGroupPlacementAttribute()
        : base(RaftGroupPlacementStrategy.Instance)
    {
    }
}

/// <summary>
/// Ranks the compatible silos for each group by rendezvous hashing of (group, silo), and puts member <c>k</c> of the
/// group on the silo at position <c>k - 1</c> of that ranking (modulo the silo count). Members ids 1..n therefore land
/// on n distinct silos when n silos are up, and different groups spread over different silos. The choice needs no
/// lookup of where the other members are; when a silo dies, the member that lived there is placed by the same rule
/// over the silos left, which may put it next to another member of its group (unavoidable when fewer silos than
/// members remain).
/// </summary>
/// <remarks>
/// <para>A member that joins a live group is placed by the admin grain's hint instead: the request that activates it carries,
/// under <see cref="AvoidSilosKey"/>, the silos (as <see cref="SiloAddress.ToString"/>) that hold the group's other
/// members, and it goes to the first silo of the ranking not among them (by the rule above when every silo is).</para>
/// <para>With <see cref="OrleansRaftOptions.BindMembersToSilos"/>, a member bound to a silo (see <see cref="RaftMemberSilos"/>)
/// is placed on that silo only, found by name among the active silos; while it is not active the activation fails with
/// <see cref="RaftStorageUnavailableException"/>, and callers try another member. Only a member not bound yet (its first
/// start) is placed by the rules above.</para>
/// <para>Membership declares a silo active before this silo has fetched its grain manifest, and until then the silo is
/// not among the compatible ones: members placed in that window would crowd onto fewer silos. A member is therefore
/// placed once the manifest knows every active silo, waiting at most <see cref="ManifestWait"/>.</para>
/// </remarks>
internal sealed class RaftGroupPlacementDirector(
    IServiceProvider services,
    IOptions<OrleansRaftOptions> options,
    IClusterMembershipService membership,
    IClusterManifestProvider manifests) : IPlacementDirector
{
    /// <summary>The request context key of the silos a joining member avoids.</summary>
    public const string AvoidSilosKey = "orleansraft.avoid-silos";

    private static readonly TimeSpan ManifestWait = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ManifestPoll = TimeSpan.FromMilliseconds(20);

    public async Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        if (!ManifestKnowsActiveSilos())
        {
            var waited = Stopwatch.StartNew();
            while (!ManifestKnowsActiveSilos() && waited.Elapsed < ManifestWait)
            {
                await Task.Delay(ManifestPoll);
            }
        }

        var chosen = Choose(target, context);
        if (options.Value.BindMembersToSilos && MemberOf(target) is { } member)
        {
            return await BoundSiloAsync(member, context.GetCompatibleSilos(target)) ?? chosen;
        }

        return chosen;
    }

    private bool ManifestKnowsActiveSilos()
    {
        var known = manifests.Current.Silos;
        foreach (var silo in membership.CurrentSnapshot.Members.Values)
        {
            if (silo.Status == SiloStatus.Active && !known.ContainsKey(silo.SiloAddress))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The silo <paramref name="member"/> is bound to; null while it is bound to none.</summary>
    private async Task<SiloAddress?> BoundSiloAsync(RaftMemberKey member, SiloAddress[] compatible)
    {
        var storage = services.GetRequiredKeyedService<IGrainStorage>(options.Value.GroupStorage);
        string? name;
        try
        {
            var (group, _) = await RaftGroupRecords.ReadAsync(storage, member.GroupId);
            name = group is null ? null : await RaftMemberSilos.ReadAsync(storage, group.StorageKeyOf(member));
        }
        catch (Exception e) when (StorageFailures.IsUnavailable(e))
        {
            // The caller may not be able to read the driver's exception; it is told to retry.
            throw new RaftStorageUnavailableException(member.ToString(), "its silo binding could not be read");
        }

        if (name is null)
        {
            return null;
        }

        var silos = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active && string.Equals(m.Name, name, StringComparison.Ordinal) && compatible.Contains(m.SiloAddress))
            .Select(m => m.SiloAddress)
            .ToList();
        return silos switch
        {
            [var only] => only,
            [] => throw new RaftStorageUnavailableException(member.ToString(), $"its log is kept by silo '{name}', which is not active"),
            _ => throw new RaftStorageUnavailableException(member.ToString(), $"its log is kept by silo '{name}', and {silos.Count} active silos have that name"),
        };
    }

    private static RaftMemberKey? MemberOf(PlacementTarget target)
    {
        try
        {
            return RaftMemberKey.Parse(target.GrainIdentity.Key.ToString()!);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static SiloAddress Choose(PlacementTarget target, IPlacementContext context)
    {
        var silos = context.GetCompatibleSilos(target);
        if (silos.Length == 0)
        {
            throw new OrleansException($"No silo can host {target.GrainIdentity}.");
        }

        var key = target.GrainIdentity.Key.ToString();
        RaftMemberKey member;
        try
        {
            member = RaftMemberKey.Parse(key);
        }
        catch (FormatException)
        {
            // Not a member key: the call fails on activation with a clear error; place it locally meanwhile.
            return silos.Contains(context.LocalSilo) ? context.LocalSilo : silos[0];
        }

        var ranked = silos.OrderBy(s => Rank(member.GroupId, s)).ThenBy(s => s.ToParsableString(), StringComparer.Ordinal).ToArray();
        if (target.RequestContextData is { } requestData && requestData.TryGetValue(AvoidSilosKey, out var value) && value is string[] avoid)
        {
            // A member added to a live group: the first silo in the group's ranking that holds none of its members.
            var free = ranked.FirstOrDefault(s => !avoid.Contains(s.ToString()));
            if (free is not null)
            {
                return free;
            }
        }

        return ranked[(int)((member.MemberId - 1) % (ulong)ranked.Length)];
    }

    private static ulong Rank(string groupId, SiloAddress silo) =>
        BinaryPrimitives.ReadUInt64LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes(groupId + "|" + silo.ToParsableString())));
}

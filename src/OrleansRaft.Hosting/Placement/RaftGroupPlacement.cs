using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Orleans.Placement;
using Orleans.Runtime.Placement;
using OrleansRaft.Abstractions;

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
/// A member that joins a live group is placed by the admin grain's hint instead: the request that activates it carries,
/// under <see cref="AvoidSilosKey"/>, the silos (as <see cref="SiloAddress.ToString"/>) that hold the group's other
/// members, and it goes to the first silo of the ranking not among them (by the rule above when every silo is).
/// </remarks>
internal sealed class RaftGroupPlacementDirector : IPlacementDirector
{
    /// <summary>The request context key of the silos a joining member avoids.</summary>
    public const string AvoidSilosKey = "orleansraft.avoid-silos";

    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
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
            return Task.FromResult(silos.Contains(context.LocalSilo) ? context.LocalSilo : silos[0]);
        }

        var ranked = silos.OrderBy(s => Rank(member.GroupId, s)).ThenBy(s => s.ToParsableString(), StringComparer.Ordinal).ToArray();
        if (target.RequestContextData is { } requestData && requestData.TryGetValue(AvoidSilosKey, out var value) && value is string[] avoid)
        {
            // A member added to a live group: the first silo in the group's ranking that holds none of its members.
            var free = ranked.FirstOrDefault(s => !avoid.Contains(s.ToString()));
            if (free is not null)
            {
                return Task.FromResult(free);
            }
        }

        return Task.FromResult(ranked[(int)((member.MemberId - 1) % (ulong)ranked.Length)]);
    }

    private static ulong Rank(string groupId, SiloAddress silo) =>
        BinaryPrimitives.ReadUInt64LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes(groupId + "|" + silo.ToParsableString())));
}

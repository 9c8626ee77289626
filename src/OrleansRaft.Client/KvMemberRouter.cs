using OrleansRaft.Abstractions;

namespace OrleansRaft.Client;

/// <summary>A <see cref="RaftMemberRouter"/> whose calls speak the key-value store's replies.</summary>
internal sealed class KvMemberRouter(IGrainFactory grains, string groupId, ulong[] members, KvClientOptions options)
{
    private readonly RaftMemberRouter _router = new(
        grains, groupId, members, new RaftRetrySettings(options.AttemptTimeout, options.InitialBackoff, options.MaxBackoff, options.Random), "the key-value group");

    public ulong Leader => _router.Leader;

    /// <summary>As <see cref="RaftMemberRouter.SendAsync{TReply}"/>.</summary>
    public Task<(KvReply Reply, ulong MemberId)> SendAsync(
        bool toLeader,
        Func<KvMember, CancellationToken, Task<KvReply>> call,
        TimeSpan timeout,
        CancellationToken cancellationToken,
        Func<KvReply, bool>? accept = null,
        ulong prefer = 0) =>
        _router.SendAsync(toLeader, (grain, token) => call(new KvMember(grain), token), Outcome, timeout, cancellationToken, accept, prefer);

    public bool IsMember(ulong id) => _router.IsMember(id);

    /// <summary>The members the router knows now.</summary>
    public IReadOnlyList<ulong> Members => _router.Members;

    public TimeSpan Backoff(int round) => _router.Backoff(round);

    private static (RaftRequestStatus, ulong) Outcome(KvReply reply) => (reply.Status, reply.LeaderHint);
}

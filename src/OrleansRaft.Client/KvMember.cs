using OrleansRaft.Abstractions;
using OrleansRaft.KeyValue;

namespace OrleansRaft.Client;

/// <summary>
/// What a member answered to a key-value command or query: its Raft status and, on <see cref="RaftRequestStatus.Ok"/>,
/// the store's result (an <see cref="ErrorResult"/> when the store refused). <see cref="Index"/> is the command's log
/// index, the read index, or for a local read the member's applied index.
/// </summary>
/// <remarks>
/// A local read also carries <see cref="Commit"/>, the commit index the member knew, and <see cref="LeaderSilence"/>,
/// the time since it last heard from a leader (zero when it leads); see <see cref="RaftReadResult"/>.
/// </remarks>
public sealed record KvReply(RaftRequestStatus Status, ulong Index, ulong LeaderHint, KvResult? Result)
{
    public bool IsOk => Status == RaftRequestStatus.Ok;

    public ulong Commit { get; init; }

    public TimeSpan LeaderSilence { get; init; }

    internal static KvReply From(RaftProposeResult raw) =>
        new(raw.Status, raw.Index, raw.LeaderHint, raw.IsOk ? KvCodec.DecodeResult(raw.Result.Span) : null);

    internal static KvReply From(RaftReadResult raw) =>
        new(raw.Status, raw.Index, raw.LeaderHint, raw.IsOk ? KvCodec.DecodeResult(raw.Result.Span) : null)
        {
            Commit = raw.Commit,
            LeaderSilence = raw.LeaderSilence,
        };
}

/// <summary>
/// The key-value store as one member grain of a group serves it: commands proposed through the log, linearizable
/// reads through ReadIndex, and serializable reads from the member's own state. It neither retries nor follows the
/// leader; <see cref="KvClient"/> does.
/// </summary>
public readonly struct KvMember(IRaftMemberGrain grain)
{
    public IRaftMemberGrain Grain { get; } = grain ?? throw new ArgumentNullException(nameof(grain));

    public static KvMember Of(IGrainFactory grains, string groupId, ulong memberId) =>
        new(grains.GetGrain<IRaftMemberGrain>(RaftMemberKey.Format(groupId, memberId)));

    /// <summary>Proposes <paramref name="command"/>; answers once this member applied it, or NotLeader with a hint.</summary>
    public Task<KvReply> ProposeAsync(KvCommand command, CancellationToken cancellationToken = default) =>
        ProposeAsync(KvCodec.EncodeCommand(command), cancellationToken);

    /// <summary>Proposes an encoded command: a retry sends the same bytes, session stamp included.</summary>
    public async Task<KvReply> ProposeAsync(ReadOnlyMemory<byte> encodedCommand, CancellationToken cancellationToken = default) =>
        KvReply.From(await Grain.ProposeAsync(encodedCommand, cancellationToken));

    /// <summary>A linearizable read: the leader confirms it leads, then answers once it applied the read index.</summary>
    public async Task<KvReply> ReadAsync(KvRequest query, CancellationToken cancellationToken = default)
    {
        using var credential = KvClientAuth.Carry(query);
        return await ReadAsync(KvCodec.EncodeQuery(query), cancellationToken);
    }

    public async Task<KvReply> ReadAsync(ReadOnlyMemory<byte> encodedQuery, CancellationToken cancellationToken = default) =>
        KvReply.From(await Grain.ReadAsync(encodedQuery, cancellationToken));

    /// <summary>A serializable read from this member's state as it is; the reply's index is its applied index.</summary>
    /// <remarks>A query wrapped in an <see cref="AsUserRequest"/> carries its proof with it, as <see cref="KvClient"/>'s do.</remarks>
    public async Task<KvReply> ReadLocalAsync(KvRequest query)
    {
        using var credential = KvClientAuth.Carry(query);
        return await ReadLocalAsync(KvCodec.EncodeQuery(query));
    }

    public async Task<KvReply> ReadLocalAsync(ReadOnlyMemory<byte> encodedQuery) =>
        KvReply.From(await Grain.ReadLocalAsync(encodedQuery));
}

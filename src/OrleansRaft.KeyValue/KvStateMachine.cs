namespace OrleansRaft.KeyValue;

/// <summary>
/// The key-value store as a Raft state machine: pure and deterministic. It reads no clock, draws no random number and
/// does no I/O; every member that applies the same commands at the same indexes holds the same state and produces
/// the same snapshot bytes.
/// </summary>
/// <remarks>
/// <para>A host applies committed commands in index order with <see cref="Apply(ulong, ReadOnlySpan{byte})"/>
/// (bytes made by <see cref="KvCodec.EncodeCommand"/>) and serves reads with <see cref="Query(ReadOnlySpan{byte})"/>
/// once ReadIndex (or its staleness bound) allows. Neither throws for bad input: a bad request gets an
/// <see cref="ErrorResult"/> and leaves the store as it was. The typed overloads do the same without the codec.</para>
/// <para>Not thread-safe: one caller at a time, as a grain provides.</para>
/// </remarks>
public sealed partial class KvStateMachine
{
    /// <summary>
    /// The state machine type under which silos register the store and groups name it (<c>RaftGroupSpec</c>): here, so
    /// that silos and clients share one spelling.
    /// </summary>
    public const string TypeName = "orleansraft.kv";

    private readonly KvLimits limits;
    private KvState state = new();

    public KvStateMachine(KvLimits? limits = null)
    {
        this.limits = limits ?? KvLimits.Default;
        this.limits.Validate();
    }

    public KvLimits Limits => limits;

    /// <summary>The current revision: 1 for an empty store, raised by each write that changes a key.</summary>
    public long Revision => state.Revision;

    /// <summary>Reads before this revision are refused with <see cref="KvErrorCode.Compacted"/>; 0 if never compacted.</summary>
    public long CompactRevision => state.CompactRevision;

    /// <summary>The index of the last command applied (restored from a snapshot).</summary>
    public ulong AppliedIndex => state.AppliedIndex;

    /// <summary>The replicated clock, in milliseconds (see <see cref="TickRequest"/>).</summary>
    public long ClockMilliseconds => state.Clock.Now;

    /// <summary>
    /// Applies the command encoded in <paramref name="command"/>, committed at log <paramref name="index"/>, and
    /// returns the encoded result for the proposer.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The index does not follow the last applied one (a host bug).</exception>
    public byte[] Apply(ulong index, ReadOnlySpan<byte> command)
    {
        AdvanceIndex(index);
        if (command.Length > limits.MaxRequestBytes)
        {
            return KvCodec.EncodeResult(Error(
                KvErrorCode.RequestTooLarge, $"the command has {command.Length} bytes; the limit is {limits.MaxRequestBytes}"));
        }

        KvCommand decoded;
        try
        {
            decoded = KvCodec.DecodeCommand(command);
        }
        catch (KvException e)
        {
            return KvCodec.EncodeResult(new ErrorResult(state.Revision, e.Code, e.Message));
        }

        return KvCodec.EncodeResult(ApplyCommand(index, decoded));
    }

    /// <summary>Applies <paramref name="command"/>, committed at log <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index does not follow the last applied one (a host bug).</exception>
    public KvResult Apply(ulong index, KvCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        AdvanceIndex(index);
        return ApplyCommand(index, command);
    }

    /// <summary>Answers the query encoded in <paramref name="query"/> (see <see cref="KvCodec.EncodeQuery"/>); changes nothing.</summary>
    public byte[] Query(ReadOnlySpan<byte> query)
    {
        KvResult result;
        try
        {
            result = Query(KvCodec.DecodeQuery(query));
        }
        catch (KvException e)
        {
            result = new ErrorResult(state.Revision, e.Code, e.Message);
        }

        return KvCodec.EncodeResult(result);
    }

    /// <summary>
    /// Answers a read: <see cref="RangeRequest"/>, a <see cref="TxnRequest"/> without writes,
    /// <see cref="ListDirectoryRequest"/>, <see cref="EventsRequest"/>, <see cref="LeaseTimeToLiveRequest"/>,
    /// <see cref="LeaseListRequest"/>, <see cref="StatusRequest"/>, <see cref="HashKvRequest"/>, <see cref="StoreSnapshotRequest"/>, or an
    /// auth query (<see cref="AuthenticateRequest"/>, user and role gets and lists, <see cref="AuthStatusRequest"/>,
    /// <see cref="PermissionCheckRequest"/>), any of them in an <see cref="AsUserRequest"/>. Changes nothing; refusals come
    /// back as <see cref="ErrorResult"/>.
    /// </summary>
    public KvResult Query(KvRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            return Authorize(request) switch
            {
                RangeRequest range => RunTxn(TxnRequests.Wrap(range), readOnly: true).Responses[0],
                TxnRequest txn => RunTxn(txn, readOnly: true),
                ListDirectoryRequest directory => RunListDirectory(directory),
                EventsRequest events => RunEvents(events),
                LeaseTimeToLiveRequest ttl => RunLeaseTimeToLive(ttl),
                LeaseListRequest => new LeaseListResult(state.Revision, state.Leases.All.Select(l => l.Id).ToArray()),
                StatusRequest status => Status(status.IncludeSizes),
                HashKvRequest hash => RunHashKv(hash),
                StoreSnapshotRequest => new StoreSnapshotResult(state.Revision, Snapshot()),
                (AuthenticateRequest or UserGetRequest or UserListRequest or RoleGetRequest or RoleListRequest or AuthStatusRequest or PermissionCheckRequest) and var op
                    => RunAuthQuery(op),
                var op => throw Fail.With(KvErrorCode.NotAQuery, $"a {op.Kind} request changes the store: propose it through the log"),
            };
        }
        catch (KvException e)
        {
            return new ErrorResult(state.Revision, e.Code, e.Message);
        }
    }

    /// <summary>Reads a range; throws <see cref="KvException"/> when refused.</summary>
    public RangeResult Range(RangeRequest request) => QueryOrThrow<RangeResult>(request);

    /// <summary>Lists a directory's immediate children; throws <see cref="KvException"/> when refused.</summary>
    public DirectoryListing ListDirectory(ListDirectoryRequest request) => QueryOrThrow<DirectoryListing>(request);

    /// <summary>Reads the events a watcher wants; throws <see cref="KvException"/> when refused (a compacted start is an answer, not a refusal).</summary>
    public EventsResult Events(EventsRequest request) => QueryOrThrow<EventsResult>(request);

    /// <summary>A lease's TTL; throws <see cref="KvException"/> when refused.</summary>
    public LeaseTimeToLiveResult LeaseTimeToLive(long id, bool keys = false) =>
        QueryOrThrow<LeaseTimeToLiveResult>(new LeaseTimeToLiveRequest(id) { Keys = keys });

    /// <summary>The store's status; <paramref name="includeSizes"/> measures the state too (O(state)).</summary>
    public StatusResult Status(bool includeSizes = false) =>
        new(state.Revision, state.CompactRevision, state.AppliedIndex, state.LiveKeys, state.Leases.Count, state.Sessions.Count, state.Clock.Now,
            includeSizes ? DataBytes() : 0, includeSizes ? SnapshotCodec.Write(state).Length : 0);

    private T QueryOrThrow<T>(KvRequest request)
        where T : KvResult
    {
        var result = Query(request);
        if (result is ErrorResult error)
        {
            throw new KvException(error.Code, error.Message);
        }

        return (T)result;
    }

    private void AdvanceIndex(ulong index)
    {
        if (index <= state.AppliedIndex)
        {
            throw new ArgumentOutOfRangeException(
                nameof(index), index, $"Commands apply in index order: index {index} does not follow the applied index {state.AppliedIndex}.");
        }

        state.AppliedIndex = index;
    }

    private KvResult ApplyCommand(ulong index, KvCommand command)
    {
        if (command.Session is not { } stamp)
        {
            return Execute(index, command.Request);
        }

        if (command.Request is TickRequest or OpenSessionRequest or CloseSessionRequest)
        {
            return Error(KvErrorCode.InvalidArgument, $"a {command.Request.Kind} request does not belong to a client session");
        }

        return ApplyInSession(index, stamp, command.Request);
    }

    private KvResult Execute(ulong index, KvRequest request)
    {
        try
        {
            return Authorize(request) switch
            {
                (PutRequest or DeleteRangeRequest or RangeRequest) and var op => RunTxn(TxnRequests.Wrap(op), readOnly: false).Responses[0],
                TxnRequest txn => RunTxn(txn, readOnly: false),
                CompactRequest compact => Compact(compact),
                LeaseGrantRequest grant => GrantLease(grant),
                LeaseRevokeRequest revoke => RevokeLease(revoke),
                LeaseKeepAliveRequest keepAlive => KeepLeaseAlive(keepAlive),
                TickRequest tick => Tick(tick),
                OpenSessionRequest => OpenSession(index),
                CloseSessionRequest close => CloseSession(close),
                (AuthEnableRequest or AuthDisableRequest or UserAddRequest or UserDeleteRequest or UserChangePasswordRequest or UserGrantRoleRequest
                    or UserRevokeRoleRequest or RoleAddRequest or RoleDeleteRequest or RoleGrantPermissionRequest or RoleRevokePermissionRequest) and var op
                    => RunAuthCommand(op),
                var op => throw Fail.With(KvErrorCode.NotACommand, $"a {op.Kind} request is a query: serve it with Query"),
            };
        }
        catch (KvException e)
        {
            return new ErrorResult(state.Revision, e.Code, e.Message);
        }
    }

    private ErrorResult Error(KvErrorCode code, FormattableString message) =>
        new(state.Revision, code, FormattableString.Invariant(message));
}

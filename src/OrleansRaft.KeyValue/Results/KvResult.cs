namespace OrleansRaft.KeyValue;

/// <summary>
/// The answer to a request. <see cref="Revision"/> is the store's revision once the request is done (for a write,
/// the revision it created if it changed anything). Errors are answers too: see <see cref="ErrorResult"/>.
/// Compare results by their encoding (<see cref="KvCodec.EncodeResult"/>): equality is by reference.
/// </summary>
public abstract class KvResult
{
    private protected KvResult(long revision)
    {
        Revision = revision;
    }

    public long Revision { get; }

    internal abstract KvResultKind Kind { get; }
}

/// <summary>The wire tag of each result type. Part of the encoding: never renumber.</summary>
internal enum KvResultKind : byte
{
    Error = 0,
    Put = 1,
    Range = 2,
    DeleteRange = 3,
    Txn = 4,
    Compact = 5,
    LeaseGrant = 6,
    LeaseRevoke = 7,
    LeaseKeepAlive = 8,
    LeaseTimeToLive = 9,
    LeaseList = 10,
    Tick = 11,
    SessionOpened = 12,
    SessionClosed = 13,
    DirectoryListing = 14,
    Events = 15,
    Status = 16,
    AuthChanged = 17,
    Authenticated = 18,
    User = 19,
    Role = 20,
    NameList = 21,
    AuthStatus = 22,
    HashKv = 23,
    Snapshot = 24,
}

/// <summary>A refused request. Nothing changed in the store.</summary>
public sealed class ErrorResult(long revision, KvErrorCode code, string message) : KvResult(revision)
{
    public KvErrorCode Code { get; } = code;

    public string Message { get; } = message;

    internal override KvResultKind Kind => KvResultKind.Error;

    public override string ToString() => $"{Code}: {Message}";
}

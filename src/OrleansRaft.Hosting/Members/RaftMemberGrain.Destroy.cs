using OrleansRaft.Hosting.Diagnostics;
using OrleansRaft.Hosting.Storage;

namespace OrleansRaft.Hosting.Members;

internal sealed partial class RaftMemberGrain
{
    public async Task DestroyAsync()
    {
        // Stop this activation first, so that nothing writes while the state goes away.
        Fail(new InvalidOperationException($"Raft member {_name} is being deleted."));
        if (_loop is { } loop)
        {
            await loop;
        }

        // A fresh claim fences any other activation of this member that might still write elsewhere.
        var store = new GrainStorageRaftLogStore(Storage, _name, logger: _logger);
        await store.LoadAsync();
        await store.DeleteAllAsync();
        RaftLogMessages.MemberDestroyed(_logger, _name);
    }
}

using OrleansRaft.Abstractions;
using OrleansRaft.Hosting.Configuration;
using OrleansRaft.Hosting.Diagnostics;
using OrleansRaft.Hosting.Storage;

namespace OrleansRaft.Hosting.Members;

internal sealed partial class RaftMemberGrain
{
    public async Task DestroyAsync(string? adminToken)
    {
        RaftAdminToken.Verify(_options, adminToken);
        // Stop this activation first, so that nothing writes while the state goes away.
        StopForDeletion();
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

    /// <summary>
    /// Stops this activation as <see cref="Fail"/> does, but as the planned end it is: logged at Information, and the
    /// requests still waiting fail with the group's absence as their cause.
    /// </summary>
    private void StopForDeletion()
    {
        RaftLogMessages.MemberStopping(_logger, _name);
        if (_failure is not null)
        {
            return;
        }

        _failure = new RaftGroupNotFoundException(_key.GroupId);
        StopTimers();
        FailPendingRequests(_failure);
        this.DeactivateOnIdle();
    }
}

using OrleansRaft.Abstractions;
using OrleansRaft.Hosting.Configuration;
using OrleansRaft.Hosting.Diagnostics;
using OrleansRaft.Hosting.Groups;
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

        // The record names the storage key, and says whether the whole group goes. Without a record there is no key
        // to find the state by: a deletion that cleared the record destroyed its members first.
        var (group, _) = await RaftGroupRecords.ReadAsync(GroupStorage, _key.GroupId);
        if (group is null)
        {
            return;
        }

        // A fresh claim fences any other activation of this member that might still write elsewhere.
        var store = new GrainStorageRaftLogStore(Storage, group.StorageKeyOf(_key), logger: _logger);
        await store.LoadAsync();
        if (group.MayPurge)
        {
            // The group goes with its incarnation, which nothing loads again: nothing of the member need stay.
            await store.PurgeAsync();
        }
        else
        {
            // A removed member, or a group from before incarnations: its key may be used again, so its fences stay.
            await store.DeleteAllAsync();
        }

        if (_options.BindMembersToSilos)
        {
            // Last: a binding without a log binds nothing that matters, a log without its binding could start anywhere.
            await RaftMemberSilos.ClearAsync(GroupStorage, group.StorageKeyOf(_key));
        }

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

using Xunit.Abstractions;
using static OrleansRaft.KeyValue.Tests.Store;

namespace OrleansRaft.KeyValue.Tests;

public sealed class SnapshotTests(ITestOutputHelper output)
{
    /// <summary>
    /// Random commands of every kind, sessions included: stamped commands, retries of earlier sequences, opens and
    /// closes. Each command is returned encoded, as a host would receive it from the log.
    /// </summary>
    private static IEnumerable<byte[]> Commands(int seed, int count)
    {
        var random = new Random(seed);
        var workload = new Workload(random);
        var probe = new KvStateMachine();
        var sessions = new List<(ulong Id, ulong Next)>();
        for (var index = 1UL; index <= (ulong)count; index++)
        {
            var leases = probe.Query(new LeaseListRequest()) is LeaseListResult list ? list.Ids : [];
            KvRequest request = random.Next(12) switch
            {
                0 => new OpenSessionRequest(),
                1 when sessions.Count > 0 => new CloseSessionRequest(sessions[random.Next(sessions.Count)].Id),
                2 => workload.Txn(probe.Revision, leases, nested: true),
                3 => new PutRequest(B(workload.Key()), default) { IgnoreValue = true, PrevKv = true },
                4 => new PutRequest(B(workload.Key()), B("kept-lease")) { IgnoreLease = true },
                _ => workload.Next(probe.Revision, probe.CompactRevision, leases),
            };

            SessionStamp? stamp = null;
            if (sessions.Count > 0 && request is not (OpenSessionRequest or CloseSessionRequest or TickRequest) && random.Next(2) == 0)
            {
                var s = random.Next(sessions.Count);
                var (id, next) = sessions[s];
                var sequence = next > 1 && random.Next(4) == 0 ? next - 1 - (ulong)random.Next((int)Math.Min(next - 1, 3)) : next;
                stamp = new SessionStamp(id, sequence, Math.Min(sequence, next > 3 ? next - 3 : 1));
                sessions[s] = (id, Math.Max(next, sequence + 1));
            }

            var bytes = KvCodec.EncodeCommand(new KvCommand(request, stamp));
            var result = probe.Apply(index, new KvCommand(request, stamp));
            if (result is SessionOpenedResult opened)
            {
                sessions.Add((opened.SessionId, 1));
            }

            if (result is SessionClosedResult closed)
            {
                sessions.RemoveAll(s => s.Id == closed.SessionId);
            }

            yield return bytes;
        }
    }

    [Theory]
    [InlineData(11)]
    [InlineData(4242)]
    public void The_same_commands_give_the_same_results_and_the_same_snapshot_bytes(int seed)
    {
        output.WriteLine($"seed {seed}");
        var one = new KvStateMachine();
        var two = new KvStateMachine();
        var index = 0UL;
        foreach (var command in Commands(seed, 1_500))
        {
            index++;
            Assert.Equal(one.Apply(index, command), two.Apply(index, command));
            if (index % 250 == 0)
            {
                Assert.Equal(one.Snapshot(), two.Snapshot());
            }
        }

        Assert.Equal(one.Snapshot(), two.Snapshot());
        output.WriteLine($"revision {one.Revision}, compact {one.CompactRevision}, snapshot {one.Snapshot().Length} bytes, {one.Status().SessionCount} sessions, {one.Status().LeaseCount} leases");
    }

    [Theory]
    [InlineData(5)]
    [InlineData(31337)]
    public void A_restored_state_machine_behaves_exactly_like_the_original(int seed)
    {
        output.WriteLine($"seed {seed}");
        var commands = Commands(seed, 1_200).ToList();
        var original = new KvStateMachine();
        for (var i = 0; i < 600; i++)
        {
            original.Apply((ulong)i + 1, commands[i]);
        }

        var snapshot = original.Snapshot();
        var restored = new KvStateMachine();
        restored.Restore(snapshot);
        Assert.Equal(snapshot, restored.Snapshot());
        Assert.Equal(original.AppliedIndex, restored.AppliedIndex);

        var originalStore = new Store(original);
        var restoredStore = new Store(restored);
        Assert.Equal(originalStore.Dump(), restoredStore.Dump());

        for (var i = 600; i < commands.Count; i++)
        {
            var index = (ulong)i + 1;
            Assert.Equal(original.Apply(index, commands[i]), restored.Apply(index, commands[i]));
            if (i % 100 == 0)
            {
                Assert.Equal(originalStore.Dump(), restoredStore.Dump());
            }
        }

        Assert.Equal(original.Snapshot(), restored.Snapshot());
    }

    [Fact]
    public void Restoring_replaces_the_whole_state()
    {
        var source = new Store();
        source.Put("a", "1");
        var target = new Store();
        target.Put("b", "1");
        target.Put("b", "2");

        target.Machine.Restore(source.Machine.Snapshot());
        Assert.Equal(source.Dump(), target.Dump());
        Assert.Null(target.Get("b"));
        Assert.Equal(1UL, target.Machine.AppliedIndex);
    }

    [Fact]
    public void An_empty_store_has_a_fixed_snapshot()
    {
        Assert.Equal(new KvStateMachine().Snapshot(), new KvStateMachine().Snapshot());
        var restored = new KvStateMachine();
        restored.Restore(new KvStateMachine().Snapshot());
        Assert.Equal(1, restored.Revision);
    }

    [Fact]
    public void A_damaged_snapshot_is_refused_and_the_current_state_kept()
    {
        var source = new Store();
        var lease = source.Grant(60);
        source.Put("a", "1", lease);
        source.OpenSession();
        var snapshot = source.Machine.Snapshot();

        var target = new Store();
        target.Put("keep", "me");
        var before = target.Dump();

        List<byte[]> damaged =
        [
            [],
            snapshot[..^1],
            snapshot[..10],
            [.. snapshot, 0],
            [.. "XXXX"u8, .. snapshot[4..]],
        ];
        for (var i = 4; i < snapshot.Length; i += 3)
        {
            var flipped = snapshot.ToArray();
            flipped[i] ^= 0x40;
            damaged.Add(flipped);
        }

        foreach (var bytes in damaged)
        {
            var e = Assert.Throws<KvException>(() => target.Machine.Restore(bytes));
            Assert.Equal(KvErrorCode.InvalidSnapshot, e.Code);
            Assert.Equal(before, target.Dump());
        }
    }

    [Fact]
    public void A_snapshot_with_a_valid_checksum_but_an_inconsistent_state_is_refused()
    {
        // Forge a snapshot whose key names a lease the snapshot lacks, with a correct checksum.
        var w = new KvWriter();
        w.Raw("KVSN"u8);
        w.Byte(1);
        w.UVar(5);       // applied index
        w.Var(2);        // revision
        w.Var(0);        // compact revision
        w.Var(0);
        w.Var(0);
        w.Var(0);        // clock
        w.Var(1);        // next lease id
        w.UVar(1);       // one key
        w.Bytes(B("a"));
        w.UVar(1);
        w.Var(2);
        w.Var(0);
        w.Bool(true);
        w.Var(2);
        w.Var(1);
        w.Var(7);        // lease 7, which does not exist
        w.Bytes(B("v"));
        w.UVar(0);       // no lease
        w.UVar(0);       // no session
        w.Fixed64(Fnv1a(w.Written));

        var machine = new KvStateMachine();
        var e = Assert.Throws<KvException>(() => machine.Restore(w.ToArray()));
        Assert.Equal(KvErrorCode.InvalidSnapshot, e.Code);
        Assert.Equal("invalid snapshot: a key names a lease that does not exist", e.Message);
    }

    [Fact]
    public void A_snapshot_keeps_leases_with_their_deadlines_and_the_clock()
    {
        var store = new Store();
        store.Tick(3, 100);
        store.Tick(3, 2_100);
        var lease = store.Grant(10);
        store.Put("a", "1", lease);

        var restored = new KvStateMachine();
        restored.Restore(store.Machine.Snapshot());
        Assert.Equal(2_000, restored.ClockMilliseconds);
        Assert.Equal(10_000, restored.LeaseTimeToLive(lease).RemainingMilliseconds);

        // The epoch and its reading are kept too: the next tick of epoch 3 counts from 2,100.
        var tick = Assert.IsType<TickResult>(restored.Apply(store.Index + 1, new KvCommand(new TickRequest(3, 12_100))));
        Assert.Equal([lease], tick.ExpiredLeases);
    }

    private static ulong Fnv1a(ReadOnlySpan<byte> data)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in data)
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return hash;
    }

    [Fact]
    public void The_snapshot_query_answers_the_snapshot_and_a_restored_copy_exports_the_retained_history()
    {
        var store = new Store();
        store.Tick(1, 0);
        var lease = store.Grant(60);
        store.Put("a", "1");
        store.Put("b", "2", lease);
        store.Put("a", "3");
        store.Delete("b");
        store.Apply<CompactResult>(new CompactRequest(3));

        var answer = store.Query<StoreSnapshotResult>(new StoreSnapshotRequest());
        Assert.Equal(store.Machine.Snapshot(), answer.Snapshot);
        var copy = new KvStateMachine();
        copy.Restore(answer.Snapshot);
        Assert.Equal(
            ["a@2:1", "b@3:2", "a@4:3", "b@5:deleted"],
            copy.RetainedVersions().Select(v => $"{S(v.Key)}@{v.Revision}:{(v.Kv is { } kv ? S(kv.Value) : "deleted")}"));
        Assert.Equal([new KvLeaseState(lease, 60, 60_000)], copy.Leases());
    }
}

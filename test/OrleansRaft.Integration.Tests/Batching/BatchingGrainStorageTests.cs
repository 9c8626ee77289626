using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Npgsql;
using Orleans.Storage;
using OrleansRaft.Hosting.Diagnostics;
using OrleansRaft.Integration.Tests.Infrastructure;

namespace OrleansRaft.Integration.Tests.Batching;

/// <summary>
/// OrleansRaft's batching provider: Orleans' ETag contract request by request, and concurrent requests of many grains
/// sharing round trips without one request's failure touching another's.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class BatchingGrainStorageTests(StorageCluster cluster)
{
    private const string StateName = "batching-test";

    private IGrainStorage Storage => cluster.PostgresBatching;

    [Fact]
    public async Task A_record_goes_through_insert_update_and_clear_by_version()
    {
        var id = NewGrain();
        var state = new GrainState<Payload>(new Payload("one"));
        await Storage.WriteStateAsync(StateName, id, state);
        Assert.Equal("1", state.ETag);

        var again = new GrainState<Payload>(new Payload("rival"));
        var duplicate = await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteStateAsync(StateName, id, again));
        Assert.Contains("already exists", duplicate.Message);

        state.State = new Payload("two");
        await Storage.WriteStateAsync(StateName, id, state);
        Assert.Equal("2", state.ETag);

        var stale = new GrainState<Payload>(new Payload("stale"), "1");
        var update = await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteStateAsync(StateName, id, stale));
        Assert.Contains("no longer at version 1", update.Message);
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.ClearStateAsync(StateName, id, new GrainState<Payload>(null!, "1")));
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.ClearStateAsync(StateName, id, new GrainState<Payload>()));

        var read = new GrainState<Payload>();
        await Storage.ReadStateAsync(StateName, id, read);
        Assert.True(read.RecordExists);
        Assert.Equal("2", read.ETag);
        Assert.Equal("two", read.State!.Text);

        await Storage.ClearStateAsync(StateName, id, read);
        Assert.False(read.RecordExists);
        Assert.Null(read.ETag);
        Assert.Equal(0, await RowsOf(id));

        var gone = new GrainState<Payload>();
        await Storage.ReadStateAsync(StateName, id, gone);
        Assert.False(gone.RecordExists);
        Assert.Null(gone.ETag);
        await Storage.ClearStateAsync(StateName, id, new GrainState<Payload>());

        // After a clear the record can be inserted again.
        await Storage.WriteStateAsync(StateName, id, new GrainState<Payload>(new Payload("three")));
        Assert.Equal(1, await RowsOf(id));
    }

    [Fact]
    public async Task Concurrent_writes_of_many_grains_share_round_trips()
    {
        using var batches = new BatchSizes();
        var grains = Enumerable.Range(0, 400).Select(_ => NewGrain()).ToArray();

        await Task.WhenAll(grains.Select(id => Storage.WriteStateAsync(StateName, id, new GrainState<Payload>(new Payload(id.ToString())))));
        var sizes = batches.Sizes;

        foreach (var id in grains)
        {
            var read = new GrainState<Payload>();
            await Storage.ReadStateAsync(StateName, id, read);
            Assert.Equal(id.ToString(), read.State!.Text);
        }

        Assert.True(sizes.Sum() >= grains.Length);
        Assert.True(sizes.Count < grains.Length, $"{grains.Length} writes took {sizes.Count} round trips.");
        Assert.Contains(sizes, size => size > 1);
        Assert.All(sizes, size => Assert.InRange(size, 1, 16));
    }

    [Fact]
    public async Task A_version_mismatch_fails_only_its_own_request()
    {
        var grains = Enumerable.Range(0, 64).Select(_ => NewGrain()).ToArray();
        var states = grains.Select(_ => new GrainState<Payload>(new Payload("first"))).ToArray();
        await Task.WhenAll(grains.Select((id, i) => Storage.WriteStateAsync(StateName, id, states[i])));

        var stale = new GrainState<Payload>(new Payload("stale"), "7") { RecordExists = true };
        var writes = grains.Select((id, i) =>
        {
            states[i].State = new Payload("second");
            return Storage.WriteStateAsync(StateName, id, i == 20 ? stale : states[i]);
        }).ToArray();

        await Assert.ThrowsAsync<InconsistentStateException>(() => writes[20]);
        for (var i = 0; i < grains.Length; i++)
        {
            var read = new GrainState<Payload>();
            await Storage.ReadStateAsync(StateName, grains[i], read);
            Assert.Equal(i == 20 ? "first" : "second", read.State!.Text);
            if (i != 20)
            {
                await writes[i];
            }
        }
    }

    [Fact]
    public async Task A_statement_that_fails_fails_only_its_own_request()
    {
        using var batches = new BatchSizes();
        var grains = Enumerable.Range(0, 100).Select(_ => NewGrain()).ToArray();

        // A state name longer than its column: PostgreSQL rejects the statement, and with it the whole round trip.
        var tooLong = new string('s', 600);
        var writes = grains.Select((id, i) =>
            Storage.WriteStateAsync(i == 50 ? tooLong : StateName, id, new GrainState<Payload>(new Payload("kept")))).ToArray();

        var error = await Assert.ThrowsAsync<PostgresException>(() => writes[50]);
        Assert.Equal(PostgresErrorCodes.StringDataRightTruncation, error.SqlState);
        for (var i = 0; i < grains.Length; i++)
        {
            if (i == 50)
            {
                continue;
            }

            await writes[i];
            var read = new GrainState<Payload>();
            await Storage.ReadStateAsync(StateName, grains[i], read);
            Assert.Equal("kept", read.State!.Text);
        }

        Assert.Contains(batches.Sizes, size => size > 1);
    }

    private static GrainId NewGrain() => GrainId.Create("batching-test", Guid.NewGuid().ToString("N"));

    private async Task<long> RowsOf(GrainId id)
    {
        await using var connection = new NpgsqlConnection(cluster.PostgresConnectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM raft_grain_state WHERE state_name = $1 AND grain_id = $2", connection);
        count.Parameters.Add(new NpgsqlParameter { Value = StateName });
        count.Parameters.Add(new NpgsqlParameter { Value = id.ToString() });
        return (long)(await count.ExecuteScalarAsync())!;
    }

    /// <summary>Records the round trips of the batching provider under test while it lives.</summary>
    private sealed class BatchSizes : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<long> _sizes = new();

        public BatchSizes()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == RaftMetrics.MeterName && instrument.Name == "orleansraft.storage.batch")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, size, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "provider" && StorageCluster.PostgresBatchingProvider.Equals(tag.Value))
                    {
                        _sizes.Enqueue(size);
                    }
                }
            });
            _listener.Start();
        }

        public IReadOnlyList<long> Sizes => [.. _sizes];

        public void Dispose() => _listener.Dispose();
    }
}

[GenerateSerializer]
public sealed record Payload([property: Id(0)] string Text);

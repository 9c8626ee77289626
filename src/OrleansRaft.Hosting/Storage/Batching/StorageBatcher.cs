using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Npgsql;
using OrleansRaft.Abstractions;

namespace OrleansRaft.Hosting.Storage.Batching;

/// <summary>
/// Carries the storage requests of every grain of a silo to PostgreSQL, many to a round trip: each lane takes
/// whatever waits when it is free and sends it as one <see cref="NpgsqlBatch"/>.
/// </summary>
/// <remarks>
/// <para><b>Amortised, not delayed.</b> A lane never waits for company: a request that finds a lane free goes
/// at once, alone. Only requests that arrive while every lane is busy share the next round trip, so the more
/// grains write at once, the fewer round trips and commits each write costs.</para>
/// <para><b>Atomic per round trip.</b> A batch without an explicit transaction runs in one implicit transaction:
/// its statements commit together or not at all. No request completes before the whole batch has committed,
/// so no caller hears "written" of a write that a later statement's failure rolled back.</para>
/// <para><b>Independent requests.</b> A version mismatch is not an error of the statement (it answers no row),
/// so it fails only its own request. A statement that does fail aborts its batch; the batch's requests are then
/// sent again one by one, and only the faulty one fails. A lost connection fails every request of its batch:
/// none of them is known to have committed or not, as with any single write.</para>
/// </remarks>
internal sealed class StorageBatcher : IAsyncDisposable
{
    private readonly Channel<StorageOperation> _queue =
        Channel.CreateUnbounded<StorageOperation>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });

    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresBatchingStorageOptions _options;
    private readonly Histogram<long> _batchSizes;
    private readonly KeyValuePair<string, object?> _providerTag;
    private readonly Task[] _lanes;

    public StorageBatcher(string providerName, PostgresBatchingStorageOptions options, IMeterFactory? meterFactory)
    {
        options.Validate(providerName);
        _options = options;
        _dataSource = NpgsqlDataSource.Create(PostgresConnectionTuning.Apply(options.ConnectionString));
        _providerTag = new("provider", providerName);
        var meter = meterFactory?.Create(Diagnostics.RaftMetrics.MeterName) ?? new Meter(Diagnostics.RaftMetrics.MeterName);
        _batchSizes = meter.CreateHistogram<long>(
            "orleansraft.storage.batch", unit: "{request}", description: "Storage requests that shared one PostgreSQL round trip, tagged with the provider.");
        _lanes = new Task[options.Lanes];
        for (var i = 0; i < _lanes.Length; i++)
        {
            _lanes[i] = Task.Run(RunLaneAsync);
        }
    }

    /// <summary>Queues <paramref name="operation"/>; its <see cref="StorageOperation.Completion"/> tells how it ended.</summary>
    public Task<StorageRow?> Enqueue(StorageOperation operation)
    {
        if (!_queue.Writer.TryWrite(operation))
        {
            operation.Fail(new ObjectDisposedException(nameof(StorageBatcher), "The storage provider has stopped."));
        }

        return operation.Completion;
    }

    /// <summary>Takes no more requests, lets the lanes finish what was queued, and closes the connections.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await Task.WhenAll(_lanes);
        await _dataSource.DisposeAsync();
    }

    private async Task RunLaneAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<StorageOperation>(_options.MaxBatchOperations);
        while (await reader.WaitToReadAsync())
        {
            batch.Clear();
            var bytes = 0;
            while (batch.Count < _options.MaxBatchOperations && bytes < _options.MaxBatchBytes && reader.TryRead(out var operation))
            {
                if (operation.CancellationToken.IsCancellationRequested)
                {
                    operation.Cancel();
                    continue;
                }

                batch.Add(operation);
                bytes += operation.Bytes;
            }

            if (batch.Count > 0)
            {
                await RunBatchAsync(batch);
            }
        }
    }

    private async Task RunBatchAsync(List<StorageOperation> batch)
    {
        _batchSizes.Record(batch.Count, _providerTag);
        try
        {
            var answers = await ExecuteAsync(batch);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Succeed(answers[i]);
            }
        }
        catch (PostgresException e) when (batch.Count > 1)
        {
            ForgetBrokenConnections(e);
            // One statement failed and took the batch with it: nothing of it committed. Alone, each request fails or not on its own.
            foreach (var operation in batch)
            {
                try
                {
                    operation.Succeed((await ExecuteAsync([operation]))[0]);
                }
                catch (Exception alone)
                {
                    operation.Fail(alone);
                }
            }
        }
        catch (Exception e)
        {
            ForgetBrokenConnections(e);
            foreach (var operation in batch)
            {
                operation.Fail(e);
            }
        }
    }

    /// <summary>
    /// After a failure of the server or the network, drops the pool's idle connections: a server that restarted or
    /// terminated its backends left them all dead, and each would otherwise fail one more round trip when it is next used.
    /// </summary>
    private void ForgetBrokenConnections(Exception e)
    {
        if (StorageFailures.IsUnavailable(e))
        {
            _dataSource.Clear();
        }
    }

    /// <summary>Sends the requests as one batch and returns each one's answer, once the batch has committed.</summary>
    private async Task<StorageRow?[]> ExecuteAsync(IReadOnlyList<StorageOperation> operations)
    {
        using var span = RaftTracing.Source.StartActivity(RaftTracing.StorageRoundTrip)?.SetTag(RaftTracing.CountTag, operations.Count);
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var batch = new NpgsqlBatch(connection);
        foreach (var operation in operations)
        {
            batch.BatchCommands.Add(operation.ToCommand());
        }

        var answers = new StorageRow?[operations.Count];
        await using (var reader = await batch.ExecuteReaderAsync())
        {
            for (var i = 0; i < operations.Count; i++)
            {
                if (i > 0 && !await reader.NextResultAsync())
                {
                    throw new InvalidOperationException($"PostgreSQL answered {i} of the batch's {operations.Count} statements.");
                }

                answers[i] = await operations[i].ReadAnswerAsync(reader, CancellationToken.None);
            }

            // The reader ends at the batch's ReadyForQuery: only then has its implicit transaction committed.
            while (await reader.NextResultAsync())
            {
            }
        }

        return answers;
    }
}

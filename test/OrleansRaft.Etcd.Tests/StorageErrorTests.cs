using Grpc.Core;
using OrleansRaft.Abstractions;

namespace OrleansRaft.Etcd.Tests;

/// <summary>A member's storage outage as etcd clients see it: <c>Unavailable</c>, which they retry, and no internals.</summary>
public sealed class StorageErrorTests
{
    [Fact]
    public void A_storage_outage_answers_Unavailable_with_a_message_in_etcds_style()
    {
        var status = EtcdErrors.From(new RaftStorageUnavailableException("kv/1"), CancellationToken.None);

        Assert.NotNull(status);
        Assert.Equal(StatusCode.Unavailable, status.StatusCode);
        Assert.Equal("etcdserver: storage unavailable, retry", status.Status.Detail);
    }

    [Fact]
    public void A_request_that_ran_out_of_time_while_storage_was_down_answers_Unavailable_without_the_last_failure()
    {
        var timedOut = new TimeoutException(
            "No member of the key-value group 'kv' served the request within 00:00:05; the last failure: x", new RaftStorageUnavailableException("kv/1"));

        var status = EtcdErrors.From(timedOut, CancellationToken.None);

        Assert.NotNull(status);
        Assert.Equal(StatusCode.Unavailable, status.StatusCode);
        Assert.Equal(EtcdErrors.TimedOut, status.Status.Detail);
    }
}

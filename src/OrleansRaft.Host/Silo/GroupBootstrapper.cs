using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansRaft.Abstractions;
using OrleansRaft.Hosting.Configuration;
using OrleansRaft.KeyValue.Hosting;

namespace OrleansRaft.Host.Silo;

/// <summary>
/// Creates the key-value groups of <c>Groups</c> once the silo runs. Creation is idempotent, so every silo does it
/// and the first one wins; a group that exists with another membership is reported and left alone.
/// </summary>
/// <remarks>
/// It first waits for <see cref="ClusterSettings.ExpectedSilos"/> active silos (bounded): a new group's members are
/// placed on distinct silos among those the cluster has when they start, and stay where they were placed.
/// Creating a group is an admin call: the silo presents its own <c>Raft:AdminToken</c>, and without one it creates
/// nothing and says so.
/// </remarks>
internal sealed partial class GroupBootstrapper(
    IGrainFactory grains,
    IClusterMembershipService membership,
    ClusterSettings cluster,
    GroupSettings[] groups,
    ClusterReadiness readiness,
    IOptions<OrleansRaftOptions> raftOptions,
    ILogger<GroupBootstrapper> logger) : BackgroundService
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await WaitForSilosAsync(stoppingToken);
        readiness.SetReady();
        foreach (var group in groups)
        {
            await CreateAsync(group, stoppingToken);
        }
    }

    private async Task WaitForSilosAsync(CancellationToken stoppingToken)
    {
        var clock = Stopwatch.StartNew();
        while (!stoppingToken.IsCancellationRequested)
        {
            var active = membership.CurrentSnapshot.Members.Values.Count(m => m.Status == SiloStatus.Active);
            if (active >= cluster.ExpectedSilos)
            {
                return;
            }

            if (clock.Elapsed > cluster.ExpectedSilosTimeout)
            {
                LogFewSilos(logger, active, cluster.ExpectedSilos, cluster.ExpectedSilosTimeout);
                return;
            }

            await Task.Delay(Poll, stoppingToken);
        }
    }

    private async Task CreateAsync(GroupSettings group, CancellationToken stoppingToken)
    {
        var spec = new RaftGroupSpec(group.Members, KeyValueStore.StateMachineType);
        var delay = TimeSpan.FromMilliseconds(200);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var info = await grains.GetGrain<IRaftGroupGrain>(group.Id).CreateAsync(spec, raftOptions.Value.AdminToken);
                LogGroupReady(logger, info.GroupId, string.Join(",", info.Members));
                return;
            }
            catch (RaftGroupExistsException)
            {
                LogGroupDiffers(logger, group.Id, string.Join(",", group.Members));
                return;
            }
            catch (ArgumentException exception)
            {
                LogGroupInvalid(logger, group.Id, exception);
                return;
            }
            catch (RaftAdminAuthenticationException exception)
            {
                LogGroupRefused(logger, group.Id, exception.Message);
                return;
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // The cluster may still be settling (a silo joining, PostgreSQL restarting): try again.
                LogGroupRetry(logger, group.Id, delay, exception);
                await Task.Delay(delay, stoppingToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Only {Active} of {Expected} silos became active within {Timeout}; creating the groups now, so some members may share a silo.")]
    private static partial void LogFewSilos(ILogger logger, int active, int expected, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Information, Message = "Key-value group {Group} is ready with members {Members}.")]
    private static partial void LogGroupReady(ILogger logger, string group, string members);

    [LoggerMessage(Level = LogLevel.Error, Message = "Key-value group {Group} exists with another membership or state machine than the configured members {Members}; it is left as it is.")]
    private static partial void LogGroupDiffers(ILogger logger, string group, string members);

    [LoggerMessage(Level = LogLevel.Error, Message = "The configured group {Group} is invalid.")]
    private static partial void LogGroupInvalid(ILogger logger, string group, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "The configured group {Group} was not created: {Reason}")]
    private static partial void LogGroupRefused(ILogger logger, string group, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Creating group {Group} failed; retrying in {Delay}.")]
    private static partial void LogGroupRetry(ILogger logger, string group, TimeSpan delay, Exception exception);
}

using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansRaft.Abstractions;
using OrleansRaft.Hosting.Configuration;
using OrleansRaft.Hosting.Diagnostics;

namespace OrleansRaft.Hosting.Groups;

/// <summary>
/// Creates the groups of <see cref="RaftGroupStartupOptions"/> once the silo is active and the cluster has
/// <see cref="RaftGroupStartupOptions.EffectiveExpectedSilos"/> active silos (or the wait timed out). It runs beside
/// the silo's start, which it never delays, and stops with the silo.
/// </summary>
/// <remarks>
/// Creating a group is an admin call: the silo presents its own <see cref="OrleansRaftOptions.AdminToken"/>. A group
/// that exists with another membership or state machine, an invalid definition or a refused token is logged and left
/// alone; any other failure (the cluster still settling, storage restarting) is retried with backoff, logged without a
/// stack trace when <see cref="RaftExpectedFailures"/> explains it.
/// </remarks>
public sealed class RaftGroupStartup : ILifecycleParticipant<ISiloLifecycle>
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    private readonly IGrainFactory _grains;
    private readonly IClusterMembershipService _membership;
    private readonly RaftGroupStartupOptions _startup;
    private readonly IOptions<OrleansRaftOptions> _raft;
    private readonly ILogger<RaftGroupStartup> _logger;
    private readonly TaskCompletionSource _silosReady = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _created = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private Task _run = Task.CompletedTask;

    public RaftGroupStartup(
        IGrainFactory grains,
        IClusterMembershipService membership,
        IOptions<RaftGroupStartupOptions> startup,
        IOptions<OrleansRaftOptions> raft,
        ILogger<RaftGroupStartup> logger)
    {
        _grains = grains;
        _membership = membership;
        _startup = startup.Value;
        _raft = raft;
        _logger = logger;
    }

    /// <summary>
    /// Completes once this silo has seen the expected silos active (or waited <see cref="RaftGroupStartupOptions.ExpectedSilosTimeout"/>).
    /// Until then, a call that activates a member would place it among too few silos.
    /// </summary>
    public Task SilosReady => _silosReady.Task;

    /// <summary>Completes once every configured group was created or found to exist (or given up on, as logged).</summary>
    public Task GroupsCreated => _created.Task;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(RaftGroupStartup), ServiceLifecycleStage.Active, OnStartAsync, OnStopAsync);

    private Task OnStartAsync(CancellationToken cancellationToken)
    {
        _run = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task OnStopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        try
        {
            await _run.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Stopping while a creation waits or retries: expected.
        }
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        await WaitForSilosAsync(stopping);
        _silosReady.TrySetResult();
        foreach (var group in _startup.Groups)
        {
            await CreateAsync(group, stopping);
        }

        _created.TrySetResult();
    }

    private async Task WaitForSilosAsync(CancellationToken stopping)
    {
        var expected = _startup.EffectiveExpectedSilos;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var active = _membership.CurrentSnapshot.Members.Values.Count(m => m.Status == SiloStatus.Active);
            if (active >= expected)
            {
                return;
            }

            if (clock.Elapsed > _startup.ExpectedSilosTimeout)
            {
                RaftLogMessages.StartupFewSilos(_logger, active, expected, _startup.ExpectedSilosTimeout);
                return;
            }

            await Task.Delay(Poll, stopping);
        }
    }

    private async Task CreateAsync(RaftGroupDefinition group, CancellationToken stopping)
    {
        var spec = new RaftGroupSpec([.. group.Members], group.StateMachineType);
        var members = string.Join(",", group.Members);
        var delay = Poll;
        while (true)
        {
            try
            {
                var info = await _grains.GetGrain<IRaftGroupGrain>(group.GroupId).CreateAsync(spec, _raft.Value.AdminToken).WaitAsync(stopping);
                RaftLogMessages.StartupGroupReady(_logger, info.GroupId, string.Join(",", info.Members), info.StateMachineType);
                return;
            }
            catch (RaftGroupExistsException)
            {
                RaftLogMessages.StartupGroupDiffers(_logger, group.GroupId, members, group.StateMachineType);
                return;
            }
            catch (ArgumentException exception)
            {
                RaftLogMessages.StartupGroupInvalid(_logger, group.GroupId, exception.Message);
                return;
            }
            catch (RaftAdminAuthenticationException exception)
            {
                RaftLogMessages.StartupGroupRefused(_logger, group.GroupId, exception.Message);
                return;
            }
            catch (Exception exception) when (!stopping.IsCancellationRequested)
            {
                if (RaftExpectedFailures.IsExpected(exception))
                {
                    RaftLogMessages.StartupGroupRetry(_logger, group.GroupId, delay, exception.Message);
                }
                else
                {
                    RaftLogMessages.StartupGroupFailed(_logger, group.GroupId, delay, exception);
                }

                await Task.Delay(delay, stopping);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
            }
        }
    }
}

using OrleansRaft.Hosting.Members;

namespace OrleansRaft.Hosting.Tests;

/// <summary>Whether and how long an idle leader holds a write back for the callers it answered, on a clock the tests drive.</summary>
public sealed class GroupCommitGateTests
{
    private static readonly TimeSpan Window = Ms(1);
    private static readonly TimeSpan Tick = Ms(50);

    [Fact]
    public void A_lone_caller_never_waits()
    {
        var gate = new GroupCommitGate(Window, Tick);

        for (var i = 0; i < 3; i++)
        {
            gate.OnAnswered(1, Ms(10 * i));
            Assert.True(gate.OnProposal(Ms(10 * i + 0.3)));
            Assert.Equal(TimeSpan.Zero, gate.BeginGathering(Ms(10 * i + 0.3)));
        }
    }

    [Fact]
    public void The_first_caller_back_waits_for_the_others_for_the_window()
    {
        var gate = new GroupCommitGate(Window, Tick);
        gate.OnAnswered(16, Ms(5));

        Assert.False(gate.OnProposal(Ms(5.1)));

        Assert.Equal(15, gate.Expected);
        Assert.Equal(Window, gate.BeginGathering(Ms(5.1)));
    }

    [Fact]
    public void A_long_window_waits_no_longer_than_the_callers_are_due()
    {
        var gate = new GroupCommitGate(Ms(10), Tick);
        gate.OnAnswered(2, Ms(0));

        gate.OnProposal(Ms(45));

        Assert.Equal(Ms(5), gate.BeginGathering(Ms(45)));
    }

    [Fact]
    public void The_last_caller_back_ends_the_gathering_and_a_quicker_return_shortens_the_horizon_a_quarter_of_the_way()
    {
        var gate = new GroupCommitGate(Window, Tick);
        gate.OnAnswered(3, Ms(0));
        Assert.False(gate.OnProposal(Ms(0.1)));
        Assert.Equal(Window, gate.BeginGathering(Ms(0.1)));
        Assert.False(gate.OnProposal(Ms(0.15)));

        Assert.True(gate.OnProposal(Ms(0.2)));
        gate.EndGathering(timedOut: false);

        // Twice the 0.2 ms from the answer to the last caller is 0.4 ms; a quarter of the way from 50 ms is 37.6 ms.
        Assert.Equal(Ms(37.6), gate.Horizon);
    }

    [Fact]
    public void A_slower_return_lengthens_the_horizon_at_once_up_to_its_largest()
    {
        var gate = new GroupCommitGate(Window, Ms(10));
        Gather(gate, callers: 2, answeredAt: Ms(0), lastBackAt: Ms(0.5));
        Assert.Equal(Ms(7.75), gate.Horizon);
        Gather(gate, callers: 2, answeredAt: Ms(100), lastBackAt: Ms(103));
        Assert.Equal(Ms(7.3125), gate.Horizon);

        Gather(gate, callers: 2, answeredAt: Ms(200), lastBackAt: Ms(204.5));
        Assert.Equal(Ms(9), gate.Horizon);

        Gather(gate, callers: 2, answeredAt: Ms(300), lastBackAt: Ms(306));
        Assert.Equal(Ms(10), gate.Horizon);
    }

    [Fact]
    public void The_horizon_never_falls_under_the_timer_resolution()
    {
        var gate = Settled();

        Assert.Equal(GroupCommitGate.TimerResolution, gate.Horizon);
    }

    [Fact]
    public void A_wait_that_runs_out_forgets_the_callers_still_out_and_doubles_the_horizon()
    {
        var gate = Settled();
        gate.OnAnswered(4, Ms(1000));
        gate.OnProposal(Ms(1000.1));
        Assert.Equal(Window, gate.BeginGathering(Ms(1000.1)));
        gate.OnProposal(Ms(1000.2));

        gate.EndGathering(timedOut: true);

        Assert.Equal(0, gate.Expected);
        Assert.Equal(Ms(2), gate.Horizon);
        gate.OnProposal(Ms(1001));
        Assert.Equal(TimeSpan.Zero, gate.BeginGathering(Ms(1001)));
    }

    [Fact]
    public void Overdue_callers_are_not_waited_for_and_the_next_ones_get_longer()
    {
        var gate = Settled();
        gate.OnAnswered(2, Ms(1000));

        gate.OnProposal(Ms(1001.5));

        Assert.Equal(TimeSpan.Zero, gate.BeginGathering(Ms(1001.5)));
        Assert.Equal(0, gate.Expected);
        Assert.Equal(Ms(2), gate.Horizon);
    }

    [Fact]
    public void A_wait_is_never_shorter_than_the_timer_resolution()
    {
        var gate = Settled();
        gate.OnAnswered(2, Ms(1000));

        gate.OnProposal(Ms(1000.7));

        Assert.Equal(GroupCommitGate.TimerResolution, gate.BeginGathering(Ms(1000.7)));
    }

    [Fact]
    public void A_window_under_the_timer_resolution_waits_one_resolution()
    {
        var gate = new GroupCommitGate(Ms(0.5), Tick);
        gate.OnAnswered(2, Ms(0));

        gate.OnProposal(Ms(0.1));

        Assert.Equal(GroupCommitGate.TimerResolution, gate.BeginGathering(Ms(0.1)));
    }

    [Fact]
    public void A_gathering_cut_short_by_other_work_keeps_its_callers_expected_and_teaches_nothing()
    {
        var gate = new GroupCommitGate(Window, Tick);
        gate.OnAnswered(3, Ms(0));
        gate.OnProposal(Ms(0.1));
        gate.BeginGathering(Ms(0.1));

        gate.EndGathering(timedOut: false);

        Assert.Equal(2, gate.Expected);
        Assert.Equal(Tick, gate.Horizon);
    }

    [Fact]
    public void A_zero_window_never_waits()
    {
        var gate = new GroupCommitGate(TimeSpan.Zero, Tick);
        gate.OnAnswered(8, Ms(0));

        gate.OnProposal(Ms(0.01));

        Assert.Equal(TimeSpan.Zero, gate.BeginGathering(Ms(0.01)));
    }

    /// <summary>A gate whose callers have always come back at once: its horizon is as short as it gets.</summary>
    private static GroupCommitGate Settled()
    {
        var gate = new GroupCommitGate(Window, Tick);
        for (var i = 0; i < 50; i++)
        {
            Gather(gate, callers: 2, answeredAt: Ms(i), lastBackAt: Ms(i));
        }

        return gate;
    }

    /// <summary>Answers <paramref name="callers"/> and brings them all back, the last at <paramref name="lastBackAt"/>, in one gathering.</summary>
    private static void Gather(GroupCommitGate gate, int callers, TimeSpan answeredAt, TimeSpan lastBackAt)
    {
        gate.OnAnswered(callers, answeredAt);
        gate.OnProposal(answeredAt);
        Assert.True(gate.BeginGathering(answeredAt) > TimeSpan.Zero);
        for (var i = 1; i < callers; i++)
        {
            gate.OnProposal(lastBackAt);
        }

        Assert.Equal(0, gate.Expected);
        gate.EndGathering(timedOut: false);
    }

    private static TimeSpan Ms(double milliseconds) => TimeSpan.FromTicks((long)Math.Round(milliseconds * TimeSpan.TicksPerMillisecond));
}

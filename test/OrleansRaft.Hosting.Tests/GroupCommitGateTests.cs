using OrleansRaft.Hosting.Members;

namespace OrleansRaft.Hosting.Tests;

/// <summary>How long an idle leader holds a write back for the callers it answered, on a clock the tests drive.</summary>
public sealed class GroupCommitGateTests
{
    private static readonly TimeSpan Window = Ms(1);

    [Fact]
    public void A_lone_caller_never_waits()
    {
        var gate = new GroupCommitGate(Window);

        for (var i = 0; i < 3; i++)
        {
            gate.OnAnswered(1, Ms(10 * i));
            Assert.True(gate.OnProposal(Ms(10 * i + 0.3)));
            Assert.Equal(TimeSpan.Zero, gate.BeginGathering(Ms(10 * i + 0.3)));
        }
    }

    [Fact]
    public void The_first_caller_back_waits_for_the_others_until_the_horizon_after_their_answer()
    {
        var gate = new GroupCommitGate(Window);
        gate.OnAnswered(16, Ms(5));

        Assert.False(gate.OnProposal(Ms(5.1)));

        Assert.Equal(15, gate.Expected);
        Assert.Equal(Ms(0.9), gate.BeginGathering(Ms(5.1)));
    }

    [Fact]
    public void The_last_caller_back_ends_the_gathering_and_a_quicker_return_shortens_the_horizon_a_quarter_of_the_way()
    {
        var gate = new GroupCommitGate(Window);
        gate.OnAnswered(3, Ms(0));
        Assert.False(gate.OnProposal(Ms(0.1)));
        Assert.Equal(Ms(0.9), gate.BeginGathering(Ms(0.1)));
        Assert.False(gate.OnProposal(Ms(0.15)));

        Assert.True(gate.OnProposal(Ms(0.2)));
        gate.EndGathering(timedOut: false);

        // Twice the 0.2 ms from the answer to the last caller is 0.4 ms; a quarter of the way from 1 ms is 0.85 ms.
        Assert.Equal(Ms(0.85), gate.Horizon);
    }

    [Fact]
    public void A_slower_return_lengthens_the_horizon_at_once_up_to_the_window()
    {
        var gate = new GroupCommitGate(Ms(3));
        Gather(gate, callers: 2, answeredAt: Ms(0), lastBackAt: Ms(0.1));
        Assert.Equal(Ms(3) - (Ms(3) - Ms(0.2)) / 4, gate.Horizon);
        Gather(gate, callers: 2, answeredAt: Ms(10), lastBackAt: Ms(10.1));
        Assert.Equal(Ms(1.775), gate.Horizon);

        Gather(gate, callers: 2, answeredAt: Ms(20), lastBackAt: Ms(21.2));
        Assert.Equal(Ms(2.4), gate.Horizon);

        Gather(gate, callers: 2, answeredAt: Ms(30), lastBackAt: Ms(31.9));
        Assert.Equal(Ms(3), gate.Horizon);
    }

    [Fact]
    public void The_horizon_never_falls_under_its_minimum()
    {
        var gate = new GroupCommitGate(Window);

        for (var i = 0; i < 50; i++)
        {
            Gather(gate, callers: 2, answeredAt: Ms(i), lastBackAt: Ms(i));
        }

        Assert.Equal(GroupCommitGate.MinHorizon, gate.Horizon);
    }

    [Fact]
    public void A_wait_that_runs_out_forgets_the_callers_still_out_and_doubles_the_horizon()
    {
        var gate = new GroupCommitGate(Window);
        Gather(gate, callers: 2, answeredAt: Ms(0), lastBackAt: Ms(0.05));
        Assert.Equal(Ms(0.775), gate.Horizon);
        gate.OnAnswered(4, Ms(10));
        gate.OnProposal(Ms(10.1));
        Assert.Equal(Ms(0.675), gate.BeginGathering(Ms(10.1)));
        gate.OnProposal(Ms(10.2));

        gate.EndGathering(timedOut: true);

        Assert.Equal(0, gate.Expected);
        Assert.Equal(Window, gate.Horizon);
        gate.OnProposal(Ms(11));
        Assert.Equal(TimeSpan.Zero, gate.BeginGathering(Ms(11)));
    }

    [Fact]
    public void Callers_overdue_are_not_waited_for_and_are_forgotten()
    {
        var gate = new GroupCommitGate(Window);
        gate.OnAnswered(2, Ms(0));

        gate.OnProposal(Ms(1.5));

        Assert.Equal(TimeSpan.Zero, gate.BeginGathering(Ms(1.5)));
        Assert.Equal(0, gate.Expected);
    }

    [Fact]
    public void A_gathering_cut_short_by_other_work_keeps_its_callers_expected_and_teaches_nothing()
    {
        var gate = new GroupCommitGate(Window);
        gate.OnAnswered(3, Ms(0));
        gate.OnProposal(Ms(0.1));
        gate.BeginGathering(Ms(0.1));

        gate.EndGathering(timedOut: false);

        Assert.Equal(2, gate.Expected);
        Assert.Equal(Window, gate.Horizon);
    }

    [Fact]
    public void A_zero_window_never_waits()
    {
        var gate = new GroupCommitGate(TimeSpan.Zero);
        gate.OnAnswered(8, Ms(0));

        gate.OnProposal(Ms(0.01));

        Assert.Equal(TimeSpan.Zero, gate.BeginGathering(Ms(0.01)));
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
